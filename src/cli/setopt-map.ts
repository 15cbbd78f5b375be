// Command-line flags that map straight onto libcurl options, as curl's
// config2setopts() does. They are always passed to the library: while it
// answers CURLE_NOT_BUILT_IN the tool fails with exit 4, and they start
// working the moment the library implements them — no CLI change needed.
import { CURLOPT } from '../index.js';

type Conv =
  | { readonly kind: 'str'; readonly opt: string }
  | { readonly kind: 'int'; readonly opt: string }
  | { readonly kind: 'bool'; readonly opt: string; readonly invert?: boolean }
  /** Set these (option, value) pairs when the flag is on, the second list when off. */
  | { readonly kind: 'consts'; readonly on: readonly (readonly [string, unknown])[]; readonly off: readonly (readonly [string, unknown])[] }
  /** Each use appends one string to a list option. */
  | { readonly kind: 'list'; readonly opt: string };

export const SETOPT_MAP: Readonly<Record<string, Conv>> = {
  'compressed': { kind: 'consts', on: [['ACCEPT_ENCODING', '']], off: [['ACCEPT_ENCODING', null]] },
  'user': { kind: 'str', opt: 'USERPWD' },
  'proxy-user': { kind: 'str', opt: 'PROXYUSERPWD' },
  'insecure': { kind: 'consts', on: [['SSL_VERIFYPEER', 0], ['SSL_VERIFYHOST', 0]], off: [['SSL_VERIFYPEER', 1], ['SSL_VERIFYHOST', 2]] },
  'proxy-insecure': { kind: 'consts', on: [['PROXY_SSL_VERIFYPEER', 0], ['PROXY_SSL_VERIFYHOST', 0]], off: [['PROXY_SSL_VERIFYPEER', 1], ['PROXY_SSL_VERIFYHOST', 2]] },
  'cookie-jar': { kind: 'str', opt: 'COOKIEJAR' },
  // each use names one more cache file to read; the last one is saved to
  'hsts': { kind: 'str', opt: 'HSTS' },
  'alt-svc': { kind: 'str', opt: 'ALTSVC' },
  'junk-session-cookies': { kind: 'bool', opt: 'COOKIESESSION' },
  'noproxy': { kind: 'str', opt: 'NOPROXY' },
  'max-redirs': { kind: 'int', opt: 'MAXREDIRS' },
  'resolve': { kind: 'list', opt: 'RESOLVE' },
  'connect-to': { kind: 'list', opt: 'CONNECT_TO' },
  'proxy-header': { kind: 'list', opt: 'PROXYHEADER' },
  'cacert': { kind: 'str', opt: 'CAINFO' },
  'capath': { kind: 'str', opt: 'CAPATH' },
  'key': { kind: 'str', opt: 'SSLKEY' },
  'cert-type': { kind: 'str', opt: 'SSLCERTTYPE' },
  'key-type': { kind: 'str', opt: 'SSLKEYTYPE' },
  'pinnedpubkey': { kind: 'str', opt: 'PINNEDPUBLICKEY' },
  'ciphers': { kind: 'str', opt: 'SSL_CIPHER_LIST' },
  'tls13-ciphers': { kind: 'str', opt: 'TLS13_CIPHERS' },
  'curves': { kind: 'str', opt: 'SSL_EC_CURVES' },
  'crlfile': { kind: 'str', opt: 'CRLFILE' },
  // the HTTPS proxy's TLS settings (--proxy-cert, --proxy-pass, --proxy-tlsv1 and the SSL_OPTIONS flags are in tls-flags.ts)
  'proxy-cacert': { kind: 'str', opt: 'PROXY_CAINFO' },
  'proxy-capath': { kind: 'str', opt: 'PROXY_CAPATH' },
  'proxy-key': { kind: 'str', opt: 'PROXY_SSLKEY' },
  'proxy-cert-type': { kind: 'str', opt: 'PROXY_SSLCERTTYPE' },
  'proxy-key-type': { kind: 'str', opt: 'PROXY_SSLKEYTYPE' },
  'proxy-pinnedpubkey': { kind: 'str', opt: 'PROXY_PINNEDPUBLICKEY' },
  'proxy-ciphers': { kind: 'str', opt: 'PROXY_SSL_CIPHER_LIST' },
  'proxy-tls13-ciphers': { kind: 'str', opt: 'PROXY_TLS13_CIPHERS' },
  'proxy-crlfile': { kind: 'str', opt: 'PROXY_CRLFILE' },
  'no-sessionid': { kind: 'bool', opt: 'SSL_SESSIONID_CACHE', invert: true },
  'cert-status': { kind: 'bool', opt: 'SSL_VERIFYSTATUS' },
  'unix-socket': { kind: 'str', opt: 'UNIX_SOCKET_PATH' },
  'abstract-unix-socket': { kind: 'str', opt: 'ABSTRACT_UNIX_SOCKET' },
  'interface': { kind: 'str', opt: 'INTERFACE' },
  'aws-sigv4': { kind: 'str', opt: 'AWS_SIGV4' },
  'request-target': { kind: 'str', opt: 'REQUEST_TARGET' },
  'ignore-content-length': { kind: 'bool', opt: 'IGNORE_CONTENT_LENGTH' },
  'raw': { kind: 'consts', on: [['HTTP_CONTENT_DECODING', 0], ['HTTP_TRANSFER_DECODING', 0]], off: [] },
  'tr-encoding': { kind: 'bool', opt: 'TRANSFER_ENCODING' },
  'proto': { kind: 'str', opt: 'PROTOCOLS_STR' },
  'proto-redir': { kind: 'str', opt: 'REDIR_PROTOCOLS_STR' },
  'proto-default': { kind: 'str', opt: 'DEFAULT_PROTOCOL' },
  'post301': { kind: 'consts', on: [['POSTREDIR', 1]], off: [] },
  'post302': { kind: 'consts', on: [['POSTREDIR', 2]], off: [] },
  'post303': { kind: 'consts', on: [['POSTREDIR', 4]], off: [] },
  'no-keepalive': { kind: 'bool', opt: 'TCP_KEEPALIVE', invert: true },
  'haproxy-protocol': { kind: 'bool', opt: 'HAPROXYPROTOCOL' },
  'suppress-connect-headers': { kind: 'bool', opt: 'SUPPRESS_CONNECT_HEADERS' },
  'proxytunnel': { kind: 'bool', opt: 'HTTPPROXYTUNNEL' },
  'form-escape': { kind: 'consts', on: [['MIME_OPTIONS', 1]], off: [['MIME_OPTIONS', 0]] },
  // while HTTP/2 and 3 are not built the library answers CURLE_UNSUPPORTED_PROTOCOL: the tool's exit 4
  'http2': { kind: 'consts', on: [['HTTP_VERSION', 3]], off: [] },
  'http2-prior-knowledge': { kind: 'consts', on: [['HTTP_VERSION', 5]], off: [] },
  'http3': { kind: 'consts', on: [['HTTP_VERSION', 30]], off: [] },
  'http3-only': { kind: 'consts', on: [['HTTP_VERSION', 31]], off: [] },
  'no-alpn': { kind: 'consts', on: [['SSL_ENABLE_ALPN', 0]], off: [['SSL_ENABLE_ALPN', 1]] },
  // name resolving
  'dns-servers': { kind: 'str', opt: 'DNS_SERVERS' },
  'dns-interface': { kind: 'str', opt: 'DNS_INTERFACE' },
  'dns-ipv4-addr': { kind: 'str', opt: 'DNS_LOCAL_IP4' },
  'dns-ipv6-addr': { kind: 'str', opt: 'DNS_LOCAL_IP6' },
  'doh-url': { kind: 'str', opt: 'DOH_URL' },
  'doh-cert-status': { kind: 'bool', opt: 'DOH_SSL_VERIFYSTATUS' },
  'doh-insecure': { kind: 'consts', on: [['DOH_SSL_VERIFYPEER', 0], ['DOH_SSL_VERIFYHOST', 0]], off: [['DOH_SSL_VERIFYPEER', 1], ['DOH_SSL_VERIFYHOST', 2]] },
  // connections
  'happy-eyeballs-timeout-ms': { kind: 'int', opt: 'HAPPY_EYEBALLS_TIMEOUT_MS' },
  'haproxy-clientip': { kind: 'str', opt: 'HAPROXY_CLIENT_IP' },
  'keepalive-cnt': { kind: 'int', opt: 'TCP_KEEPCNT' },
  'tcp-fastopen': { kind: 'bool', opt: 'TCP_FASTOPEN' },
  'disallow-username-in-url': { kind: 'bool', opt: 'DISALLOW_USERNAME_IN_URL' },
  'ech': { kind: 'str', opt: 'ECH' },
  'sigalgs': { kind: 'str', opt: 'SSL_SIGNATURE_ALGORITHMS' },
  'service-name': { kind: 'str', opt: 'SERVICE_NAME' },
  'proxy-service-name': { kind: 'str', opt: 'PROXY_SERVICE_NAME' },
  'socks5-gssapi-service': { kind: 'str', opt: 'PROXY_SERVICE_NAME' },
  'socks5-gssapi-nec': { kind: 'bool', opt: 'SOCKS5_GSSAPI_NEC' },
  'tftp-blksize': { kind: 'int', opt: 'TFTP_BLKSIZE' },
  'tftp-no-options': { kind: 'bool', opt: 'TFTP_NO_OPTIONS' },
  'use-ascii': { kind: 'bool', opt: 'TRANSFERTEXT' },
  // protocols this build does not have yet: the library answers CURLE_NOT_BUILT_IN
  'append': { kind: 'bool', opt: 'APPEND' },
  'crlf': { kind: 'bool', opt: 'CRLF' },
  'list-only': { kind: 'bool', opt: 'DIRLISTONLY' },
  'disable-eprt': { kind: 'bool', opt: 'FTP_USE_EPRT', invert: true },
  'disable-epsv': { kind: 'bool', opt: 'FTP_USE_EPSV', invert: true },
  'ftp-account': { kind: 'str', opt: 'FTP_ACCOUNT' },
  'ftp-alternative-to-user': { kind: 'str', opt: 'FTP_ALTERNATIVE_TO_USER' },
  // curl's tool asks for CURLFTP_CREATE_DIR_RETRY
  'ftp-create-dirs': { kind: 'consts', on: [['FTP_CREATE_MISSING_DIRS', 2]], off: [['FTP_CREATE_MISSING_DIRS', 0]] },
  'ftp-port': { kind: 'str', opt: 'FTPPORT' },
  'ftp-pret': { kind: 'bool', opt: 'FTP_USE_PRET' },
  'ftp-skip-pasv-ip': { kind: 'bool', opt: 'FTP_SKIP_PASV_IP' },
  // CURLUSESSL_TRY, CURLUSESSL_ALL, CURLUSESSL_CONTROL
  'ssl': { kind: 'consts', on: [['USE_SSL', 1]], off: [['USE_SSL', 0]] },
  'ssl-reqd': { kind: 'consts', on: [['USE_SSL', 3]], off: [['USE_SSL', 0]] },
  'ftp-ssl-control': { kind: 'consts', on: [['USE_SSL', 2]], off: [['USE_SSL', 0]] },
  'compressed-ssh': { kind: 'bool', opt: 'SSH_COMPRESSION' },
  'hostpubmd5': { kind: 'str', opt: 'SSH_HOST_PUBLIC_KEY_MD5' },
  'hostpubsha256': { kind: 'str', opt: 'SSH_HOST_PUBLIC_KEY_SHA256' },
  'knownhosts': { kind: 'str', opt: 'SSH_KNOWNHOSTS' },
  'pubkey': { kind: 'str', opt: 'SSH_PUBLIC_KEYFILE' },
  'login-options': { kind: 'str', opt: 'LOGIN_OPTIONS' },
  'sasl-authzid': { kind: 'str', opt: 'SASL_AUTHZID' },
  'sasl-ir': { kind: 'bool', opt: 'SASL_IR' },
  'mail-auth': { kind: 'str', opt: 'MAIL_AUTH' },
  'mail-from': { kind: 'str', opt: 'MAIL_FROM' },
  'mail-rcpt': { kind: 'list', opt: 'MAIL_RCPT' },
  'mail-rcpt-allowfails': { kind: 'bool', opt: 'MAIL_RCPT_ALLOWFAILS' },
  'telnet-option': { kind: 'list', opt: 'TELNETOPTIONS' },
};

export const optId = (name: string): number => (CURLOPT as Record<string, number>)[name]!;
