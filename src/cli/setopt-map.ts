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
  'location-trusted': { kind: 'consts', on: [['FOLLOWLOCATION', 1], ['UNRESTRICTED_AUTH', 1]], off: [['UNRESTRICTED_AUTH', 0]] },
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
  'http2': { kind: 'consts', on: [['HTTP_VERSION', 3]], off: [] },
  'http2-prior-knowledge': { kind: 'consts', on: [['HTTP_VERSION', 5]], off: [] },
};

export const optId = (name: string): number => (CURLOPT as Record<string, number>)[name]!;
