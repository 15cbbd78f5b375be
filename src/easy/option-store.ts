// Storage and validation of easy options: curl_easy_setopt's type checks,
// libcurl's defaults, and the honest list of what is implemented so far.
import { CURLE, type CURLcode } from '../codes.js';
import { CURLOPT, OPTION_ALIASES, OPTION_TABLE, type OptionTableEntry } from './option-table.js';
import { shareInternals } from '../share/share.js';
import { Mime } from '../cr/mime.js';
import { CURLAUTH, normaliseHttpAuth } from '../auth/curlauth.js';
import { CURLHTTPSIG, parseComponents } from '../auth/httpsig.js';
import { validSslVersion } from '../vtls/tls-version.js';
import { textToBuffer } from '../url/url-bytes.js';
import { CurlUrl } from '../url/curl-url.js';
import { CURLUPART } from '../url/url-codes.js';
import { httpVersionBuilt } from '../features.js';
import { isFileTarget } from './default-io.js';
import { internalsOf } from './internals.js';

const BY_ID = new Map<number, OptionTableEntry>(OPTION_TABLE.map((o) => [o.id, o]));
const BY_NAME = new Map<string, OptionTableEntry>();
for (const o of [...OPTION_TABLE, ...OPTION_ALIASES]) {
  BY_NAME.set(o.name, o);
  BY_NAME.set('CURLOPT_' + o.name, o);
}

/** curl_easy_option_by_name: accepts "URL", "CURLOPT_URL", any case, and libcurl's old alias names ("FILE", "PROGRESSDATA"). */
export function optionByName(name: string): OptionTableEntry | undefined {
  return typeof name === 'string' ? BY_NAME.get(name.toUpperCase()) : undefined;
}
/** curl_easy_option_by_id */
export function optionById(id: number): OptionTableEntry | undefined {
  return BY_ID.get(id);
}

/**
 * Options whose behaviour exists. Everything else answers CURLE_NOT_BUILT_IN,
 * so a program never believes an option took effect when it did not.
 */
const IMPLEMENTED = new Set<number>([
  // HTTP/2: waiting for a multiplexed connection, the stream's priority (weight, dependency)
  CURLOPT.PIPEWAIT, CURLOPT.STREAM_WEIGHT, CURLOPT.STREAM_DEPENDS, CURLOPT.STREAM_DEPENDS_E,
  CURLOPT.URL, CURLOPT.PORT, CURLOPT.DEFAULT_PROTOCOL, CURLOPT.PATH_AS_IS, CURLOPT.PROTOCOLS_STR, CURLOPT.REDIR_PROTOCOLS_STR,
  CURLOPT.WRITEFUNCTION, CURLOPT.WRITEDATA, CURLOPT.HEADERFUNCTION, CURLOPT.HEADERDATA,
  CURLOPT.READFUNCTION, CURLOPT.READDATA, CURLOPT.INFILESIZE, CURLOPT.INFILESIZE_LARGE, CURLOPT.UPLOAD,
  CURLOPT.VERBOSE, CURLOPT.DEBUGFUNCTION, CURLOPT.DEBUGDATA, CURLOPT.HEADER,
  CURLOPT.NOPROGRESS, CURLOPT.XFERINFOFUNCTION, CURLOPT.XFERINFODATA, CURLOPT.PROGRESSFUNCTION, CURLOPT.STDERR, CURLOPT.CURLU,
  CURLOPT.CONNECTTIMEOUT, CURLOPT.CONNECTTIMEOUT_MS, CURLOPT.TIMEOUT, CURLOPT.TIMEOUT_MS,
  CURLOPT.PRIVATE, CURLOPT.ERRORBUFFER, CURLOPT.NOSIGNAL,
  CURLOPT.USERAGENT, CURLOPT.HTTPHEADER, CURLOPT.NOBODY, CURLOPT.CUSTOMREQUEST, CURLOPT.HTTPGET,
  CURLOPT.POST, CURLOPT.POSTFIELDS, CURLOPT.COPYPOSTFIELDS, CURLOPT.POSTFIELDSIZE, CURLOPT.POSTFIELDSIZE_LARGE,
  CURLOPT.FAILONERROR, CURLOPT.HTTP_VERSION, CURLOPT.REFERER,
  CURLOPT.COOKIE, CURLOPT.COOKIEFILE, CURLOPT.COOKIEJAR, CURLOPT.COOKIESESSION, CURLOPT.COOKIELIST,
  CURLOPT.SHARE,
  CURLOPT.HSTS, CURLOPT.HSTS_CTRL, CURLOPT.HSTSREADFUNCTION, CURLOPT.HSTSREADDATA, CURLOPT.HSTSWRITEFUNCTION, CURLOPT.HSTSWRITEDATA,
  CURLOPT.ALTSVC, CURLOPT.ALTSVC_CTRL,
  CURLOPT.SSL_VERIFYPEER, CURLOPT.SSL_VERIFYHOST, CURLOPT.CAINFO, CURLOPT.CAPATH, CURLOPT.CAINFO_BLOB,
  CURLOPT.SSLCERT, CURLOPT.SSLCERTTYPE, CURLOPT.SSLKEY, CURLOPT.SSLKEYTYPE, CURLOPT.KEYPASSWD, CURLOPT.SSLENGINE,
  CURLOPT.SSLCERT_BLOB, CURLOPT.SSLKEY_BLOB, CURLOPT.PINNEDPUBLICKEY, CURLOPT.SSLVERSION,
  CURLOPT.SSL_CIPHER_LIST, CURLOPT.TLS13_CIPHERS, CURLOPT.SSL_EC_CURVES, CURLOPT.SSL_SESSIONID_CACHE,
  CURLOPT.SSL_OPTIONS, CURLOPT.ISSUERCERT, CURLOPT.ISSUERCERT_BLOB, CURLOPT.CRLFILE, CURLOPT.CERTINFO,
  CURLOPT.FOLLOWLOCATION, CURLOPT.MAXREDIRS, CURLOPT.POSTREDIR, CURLOPT.AUTOREFERER, CURLOPT.UNRESTRICTED_AUTH,
  CURLOPT.FORBID_REUSE, CURLOPT.FRESH_CONNECT, CURLOPT.MAXCONNECTS, CURLOPT.IPRESOLVE,
  CURLOPT.DNS_CACHE_TIMEOUT, CURLOPT.DNS_SERVERS, CURLOPT.TCP_NODELAY, CURLOPT.HTTP09_ALLOWED, CURLOPT.MAXFILESIZE, CURLOPT.MAXFILESIZE_LARGE,
  CURLOPT.USERPWD, CURLOPT.USERNAME, CURLOPT.PASSWORD, CURLOPT.HTTPAUTH, CURLOPT.XOAUTH2_BEARER,
  CURLOPT.NETRC, CURLOPT.NETRC_FILE, CURLOPT.AWS_SIGV4,
  CURLOPT.HTTPSIG_ALGORITHM, CURLOPT.HTTPSIG_KEY, CURLOPT.HTTPSIG_KEYID, CURLOPT.HTTPSIG_HEADERS,
  CURLOPT.ACCEPT_ENCODING, CURLOPT.HTTP_CONTENT_DECODING, CURLOPT.HTTP_TRANSFER_DECODING, CURLOPT.TRANSFER_ENCODING,
  CURLOPT.RANGE, CURLOPT.RESUME_FROM, CURLOPT.RESUME_FROM_LARGE, CURLOPT.TIMECONDITION, CURLOPT.TIMEVALUE,
  CURLOPT.TIMEVALUE_LARGE, CURLOPT.REQUEST_TARGET, CURLOPT.FILETIME, CURLOPT.IGNORE_CONTENT_LENGTH,
  CURLOPT.SEEKFUNCTION, CURLOPT.SEEKDATA, CURLOPT.EXPECT_100_TIMEOUT_MS, CURLOPT.KEEP_SENDING_ON_ERROR,
  CURLOPT.NEW_FILE_PERMS, CURLOPT.UPLOAD_BUFFERSIZE, CURLOPT.BUFFERSIZE, CURLOPT.TRAILERFUNCTION, CURLOPT.TRAILERDATA, CURLOPT.MIMEPOST, CURLOPT.MIME_OPTIONS,
  // SFTP and SCP (src/proto/ssh/)
  CURLOPT.SSH_AUTH_TYPES, CURLOPT.SSH_PUBLIC_KEYFILE, CURLOPT.SSH_PRIVATE_KEYFILE, CURLOPT.SSH_KNOWNHOSTS, CURLOPT.SSH_KEYFUNCTION,
  CURLOPT.SSH_KEYDATA, CURLOPT.SSH_HOSTKEYFUNCTION, CURLOPT.SSH_HOSTKEYDATA, CURLOPT.SSH_HOST_PUBLIC_KEY_MD5, CURLOPT.SSH_HOST_PUBLIC_KEY_SHA256, CURLOPT.SSH_COMPRESSION,
  CURLOPT.QUOTE, CURLOPT.POSTQUOTE, CURLOPT.NEW_DIRECTORY_PERMS, CURLOPT.FTP_CREATE_MISSING_DIRS, CURLOPT.DIRLISTONLY, CURLOPT.APPEND,
  // connection control
  CURLOPT.RESOLVE, CURLOPT.CONNECT_TO, CURLOPT.UNIX_SOCKET_PATH, CURLOPT.ABSTRACT_UNIX_SOCKET,
  CURLOPT.LOCALPORT, CURLOPT.LOCALPORTRANGE, CURLOPT.INTERFACE, CURLOPT.TCP_KEEPALIVE, CURLOPT.TCP_KEEPIDLE,
  CURLOPT.HAPPY_EYEBALLS_TIMEOUT_MS,
  CURLOPT.MAX_RECV_SPEED_LARGE, CURLOPT.MAX_SEND_SPEED_LARGE, CURLOPT.LOW_SPEED_LIMIT, CURLOPT.LOW_SPEED_TIME,
  CURLOPT.MAXAGE_CONN, CURLOPT.MAXLIFETIME_CONN,
  CURLOPT.PROXY, CURLOPT.PROXYPORT, CURLOPT.PROXYTYPE, CURLOPT.HTTPPROXYTUNNEL, CURLOPT.PROXYUSERPWD,
  CURLOPT.PROXYUSERNAME, CURLOPT.PROXYPASSWORD, CURLOPT.PROXYAUTH, CURLOPT.NOPROXY, CURLOPT.PROXYHEADER,
  CURLOPT.HEADEROPT, CURLOPT.SUPPRESS_CONNECT_HEADERS, CURLOPT.PRE_PROXY, CURLOPT.SOCKS5_AUTH,
  CURLOPT.HAPROXYPROTOCOL, CURLOPT.SSL_ENABLE_ALPN, CURLOPT.CONNECT_ONLY, CURLOPT.WS_OPTIONS,
  // the TLS session with an HTTPS proxy
  CURLOPT.PROXY_SSL_VERIFYPEER, CURLOPT.PROXY_SSL_VERIFYHOST, CURLOPT.PROXY_CAINFO, CURLOPT.PROXY_CAPATH,
  CURLOPT.PROXY_CAINFO_BLOB, CURLOPT.PROXY_SSL_OPTIONS, CURLOPT.PROXY_SSLVERSION, CURLOPT.PROXY_SSL_CIPHER_LIST,
  CURLOPT.PROXY_TLS13_CIPHERS, CURLOPT.PROXY_CRLFILE, CURLOPT.PROXY_ISSUERCERT, CURLOPT.PROXY_ISSUERCERT_BLOB,
  CURLOPT.PROXY_PINNEDPUBLICKEY, CURLOPT.PROXY_SSLCERT, CURLOPT.PROXY_SSLCERT_BLOB, CURLOPT.PROXY_SSLCERTTYPE,
  CURLOPT.PROXY_SSLKEY, CURLOPT.PROXY_SSLKEY_BLOB, CURLOPT.PROXY_SSLKEYTYPE, CURLOPT.PROXY_KEYPASSWD,
  // TFTP (TRANSFERTEXT: netascii mode)
  CURLOPT.TFTP_BLKSIZE, CURLOPT.TFTP_NO_OPTIONS, CURLOPT.TRANSFERTEXT,
  // TELNET and RTSP (src/proto/telnet*.ts, rtsp*.ts)
  CURLOPT.TELNETOPTIONS, CURLOPT.RTSP_REQUEST, CURLOPT.RTSP_SESSION_ID, CURLOPT.RTSP_STREAM_URI, CURLOPT.RTSP_TRANSPORT,
  CURLOPT.RTSP_CLIENT_CSEQ, CURLOPT.RTSP_SERVER_CSEQ, CURLOPT.INTERLEAVEFUNCTION, CURLOPT.INTERLEAVEDATA,
  // the mail protocols (IMAP, POP3, SMTP)
  CURLOPT.MAIL_FROM, CURLOPT.MAIL_RCPT, CURLOPT.MAIL_RCPT_ALLOWFAILS, CURLOPT.MAIL_AUTH, CURLOPT.SASL_IR,
  CURLOPT.SASL_AUTHZID, CURLOPT.LOGIN_OPTIONS, CURLOPT.USE_SSL, CURLOPT.CRLF, CURLOPT.DIRLISTONLY, CURLOPT.UPLOAD_FLAGS,
  CURLOPT.SERVER_RESPONSE_TIMEOUT, CURLOPT.SERVER_RESPONSE_TIMEOUT_MS,
  // FTP and FTPS (src/proto/ftp/)
  CURLOPT.FTPPORT, CURLOPT.QUOTE, CURLOPT.POSTQUOTE, CURLOPT.PREQUOTE, CURLOPT.DIRLISTONLY, CURLOPT.APPEND,
  CURLOPT.TRANSFERTEXT, CURLOPT.CRLF, CURLOPT.FTP_USE_EPSV, CURLOPT.FTP_USE_EPRT, CURLOPT.FTP_USE_PRET,
  CURLOPT.FTP_CREATE_MISSING_DIRS, CURLOPT.SERVER_RESPONSE_TIMEOUT, CURLOPT.SERVER_RESPONSE_TIMEOUT_MS,
  CURLOPT.USE_SSL, CURLOPT.FTPSSLAUTH, CURLOPT.FTP_ACCOUNT, CURLOPT.FTP_SKIP_PASV_IP, CURLOPT.FTP_FILEMETHOD,
  CURLOPT.FTP_ALTERNATIVE_TO_USER, CURLOPT.ACCEPTTIMEOUT_MS, CURLOPT.FTP_SSL_CCC,
  // FTP wildcard downloads (src/proto/ftp/ftp-wildcard.ts)
  CURLOPT.WILDCARDMATCH, CURLOPT.CHUNK_BGN_FUNCTION, CURLOPT.CHUNK_END_FUNCTION, CURLOPT.CHUNK_DATA,
  CURLOPT.FNMATCH_FUNCTION, CURLOPT.FNMATCH_DATA,
]);

/**
 * The request kind the options ask for (libcurl's data->set.method): the last
 * of UPLOAD, POST, POSTFIELDS, HTTPGET, NOBODY (and MIMEPOST) wins.
 */
export const HTTPREQ = { GET: 0, POST: 1, POST_FORM: 2, POST_MIME: 3, PUT: 4, HEAD: 5 } as const;
export type HttpReq = (typeof HTTPREQ)[keyof typeof HTTPREQ];

/** Option pairs that are one libcurl field (the LARGE variant and the long one). */
const TWINS = new Map<number, number>([
  [CURLOPT.INFILESIZE, CURLOPT.INFILESIZE_LARGE], [CURLOPT.INFILESIZE_LARGE, CURLOPT.INFILESIZE],
  [CURLOPT.POSTFIELDSIZE, CURLOPT.POSTFIELDSIZE_LARGE], [CURLOPT.POSTFIELDSIZE_LARGE, CURLOPT.POSTFIELDSIZE],
  [CURLOPT.RESUME_FROM, CURLOPT.RESUME_FROM_LARGE], [CURLOPT.RESUME_FROM_LARGE, CURLOPT.RESUME_FROM],
  [CURLOPT.TIMEVALUE, CURLOPT.TIMEVALUE_LARGE], [CURLOPT.TIMEVALUE_LARGE, CURLOPT.TIMEVALUE],
]);

/** libcurl's defaults where they are not 0/null. */
const DEFAULTS = new Map<number, unknown>([
  [CURLOPT.NOPROGRESS, 1],
  [CURLOPT.DNS_CACHE_TIMEOUT, 60],
  [CURLOPT.MAXCONNECTS, 5],
  [CURLOPT.TCP_NODELAY, 1],
  [CURLOPT.MAXREDIRS, 30],
  [CURLOPT.INFILESIZE, -1],
  [CURLOPT.INFILESIZE_LARGE, -1],
  [CURLOPT.POSTFIELDSIZE, -1],
  [CURLOPT.POSTFIELDSIZE_LARGE, -1],
  [CURLOPT.SSL_VERIFYPEER, 1],
  [CURLOPT.SSL_VERIFYHOST, 2],
  [CURLOPT.SSL_SESSIONID_CACHE, 1],
  [CURLOPT.SSL_ENABLE_ALPN, 1],
  [CURLOPT.PROXY_SSL_VERIFYPEER, 1],
  [CURLOPT.PROXY_SSL_VERIFYHOST, 2],
  [CURLOPT.HTTPAUTH, CURLAUTH.BASIC],
  [CURLOPT.PROXYAUTH, CURLAUTH.BASIC],
  // CURLHEADER_SEPARATE: the proxy gets PROXYHEADER, the server HTTPHEADER (libcurl's default since 7.42.1)
  [CURLOPT.HEADEROPT, 1],
  // CURLAUTH_BASIC | CURLAUTH_GSSAPI
  [CURLOPT.SOCKS5_AUTH, 5],
  [CURLOPT.HTTP_CONTENT_DECODING, 1],
  [CURLOPT.HTTP_TRANSFER_DECODING, 1],
  [CURLOPT.EXPECT_100_TIMEOUT_MS, 1000],
  [CURLOPT.UPLOAD_BUFFERSIZE, 65536],
  [CURLOPT.BUFFERSIZE, 16384],
  // CURLULFLAG_SEEN: an IMAP APPEND marks the message read
  [CURLOPT.UPLOAD_FLAGS, 1 << 4],
  // CURLOPT_NEW_FILE_PERMS: what a file: upload creates (rw-r--r--)
  [CURLOPT.NEW_FILE_PERMS, 0o644],
  [CURLOPT.LOCALPORTRANGE, 1],
  [CURLOPT.TCP_KEEPIDLE, 60],
  // CURL_HET_DEFAULT: the second address family starts 200 ms after the first
  [CURLOPT.HAPPY_EYEBALLS_TIMEOUT_MS, 200],
  [CURLOPT.MAXAGE_CONN, 118],
  [CURLOPT.MAXLIFETIME_CONN, 24 * 3600],
  // FTP: EPSV and EPRT first, the PASV reply's address ignored, one CWD per directory, a minute for the server's connect
  [CURLOPT.FTP_USE_EPSV, 1],
  [CURLOPT.FTP_USE_EPRT, 1],
  [CURLOPT.FTP_SKIP_PASV_IP, 1],
  [CURLOPT.FTP_FILEMETHOD, 1],
  [CURLOPT.ACCEPTTIMEOUT_MS, 60000],
]);

/** Options that must not be negative (libcurl answers BAD_FUNCTION_ARGUMENT). */
const NON_NEGATIVE = new Set<number>([
  CURLOPT.POSTREDIR,
  CURLOPT.CONNECTTIMEOUT, CURLOPT.CONNECTTIMEOUT_MS, CURLOPT.TIMEOUT, CURLOPT.TIMEOUT_MS,
  CURLOPT.MAXCONNECTS, CURLOPT.PORT, CURLOPT.MAXFILESIZE, CURLOPT.MAXFILESIZE_LARGE, CURLOPT.PROXYPORT,
  CURLOPT.EXPECT_100_TIMEOUT_MS, CURLOPT.SERVER_RESPONSE_TIMEOUT, CURLOPT.SERVER_RESPONSE_TIMEOUT_MS,
  CURLOPT.LOCALPORT, CURLOPT.LOCALPORTRANGE, CURLOPT.TCP_KEEPIDLE, CURLOPT.MAX_RECV_SPEED_LARGE, CURLOPT.MAX_SEND_SPEED_LARGE,
  CURLOPT.LOW_SPEED_LIMIT, CURLOPT.LOW_SPEED_TIME, CURLOPT.MAXAGE_CONN, CURLOPT.MAXLIFETIME_CONN,
  CURLOPT.HAPPY_EYEBALLS_TIMEOUT_MS,
]);

/** Options whose value must fit a port number (libcurl's range check). */
const PORT_RANGE = new Set<number>([CURLOPT.PORT, CURLOPT.PROXYPORT, CURLOPT.LOCALPORT, CURLOPT.LOCALPORTRANGE]);
/** CURLOPT_UNIX_SOCKET_PATH and ABSTRACT_UNIX_SOCKET are one setting in libcurl: setting one unsets the other. */
const UNIX_SOCKET_PAIR = new Map<number, number>([
  [CURLOPT.UNIX_SOCKET_PATH, CURLOPT.ABSTRACT_UNIX_SOCKET],
  [CURLOPT.ABSTRACT_UNIX_SOCKET, CURLOPT.UNIX_SOCKET_PATH],
  // one dependency per handle: STREAM_DEPENDS clears the exclusive bit, STREAM_DEPENDS_E sets it
  [CURLOPT.STREAM_DEPENDS, CURLOPT.STREAM_DEPENDS_E],
  [CURLOPT.STREAM_DEPENDS_E, CURLOPT.STREAM_DEPENDS],
]);

/**
 * The URL a transfer starts from: CURLOPT_CURLU's, which overrides
 * CURLOPT_URL (libcurl's Curl_pretransfer reads the handle's URL at each
 * start, so changes made between transfers are used), else CURLOPT_URL.
 * null: neither gives a URL ("No URL set").
 */
export function startUrl(opts: OptionStore): string | null {
  const h = opts.get(CURLOPT.CURLU);
  if (h instanceof CurlUrl) {
    const r = h.get(CURLUPART.URL);
    return r.code === 0 && r.value !== undefined ? r.value : null;
  }
  return opts.str(CURLOPT.URL);
}

export function isImplemented(id: number): boolean {
  return IMPLEMENTED.has(id);
}

/**
 * The options the engine reads on every run of a transfer (every state
 * change, every received chunk), resolved once per generation of the store:
 * reading them from the store each time was a map lookup apiece, dozens per
 * request. A setopt() (also from inside a callback) starts a new generation,
 * so the values are always the current ones, as libcurl reads data->set.
 */
export interface HotOptions {
  readonly verbose: boolean;
  /** header lines go to the application (HEADERFUNCTION, HEADERDATA or HEADER set) */
  readonly headerLines: boolean;
  /** NOPROGRESS is 0: progress callbacks are due, or libcurl's own meter without one (xferInfo null) */
  readonly progress: boolean;
  readonly xferInfo: unknown;
  /** TIMEOUT_MS, else TIMEOUT in ms; 0: none */
  readonly timeoutMs: number;
  /** CONNECTTIMEOUT_MS, else CONNECTTIMEOUT in ms; 0: the default */
  readonly connectTimeoutMs: number;
  readonly maxRecvSpeed: number;
  readonly maxSendSpeed: number;
  readonly lowSpeedLimit: number;
  readonly lowSpeedTime: number;
  readonly freshConnect: boolean;
  readonly forbidReuse: boolean;
  /** CURLOPT_SHARE (a Share or null) */
  readonly share: unknown;
  /** WRITEFUNCTION (null: libcurl's default, stdout) and WRITEDATA */
  readonly writeFn: unknown;
  readonly writeData: unknown;
  readonly noBody: boolean;
  /**
   * The most body bytes one WRITEFUNCTION call gets: CURL_MAX_WRITE_SIZE, or
   * BUFFERSIZE when smaller (libcurl never reads more than that at once)
   */
  readonly writeMax: number;
  /** MAXFILESIZE_LARGE, else MAXFILESIZE; 0: no limit */
  readonly maxFilesize: number;
  /** HEADERFUNCTION (null: none) and HEADERDATA */
  readonly headerFn: unknown;
  readonly headerData: unknown;
  /** CURLOPT_HEADER: header lines are part of the body stream too */
  readonly includeHeader: boolean;
}

/** CURL_MAX_WRITE_SIZE: the largest body piece libcurl hands to a write callback. */
export const CURL_MAX_WRITE_SIZE = 16 * 1024;
/** CURL_MAX_READ_SIZE: the largest CURLOPT_BUFFERSIZE (10 MB since 7.88.0). */
const CURL_MAX_READ_SIZE = 10 * 1024 * 1024;
/** The smallest CURLOPT_BUFFERSIZE libcurl accepts. */
const READBUFFER_MIN = 1024;

export class OptionStore {
  #values = new Map<number, unknown>();
  #method: HttpReq = HTTPREQ.GET;
  #generation = 0;
  #hot: HotOptions | null = null;
  #hotGeneration = -1;

  /** The per-run options, current for this generation. */
  hot(): HotOptions {
    if (this.#hot !== null && this.#hotGeneration === this.#generation) return this.#hot;
    // the deprecated PROGRESSFUNCTION has the same arguments in JavaScript (numbers);
    // XFERINFOFUNCTION wins when both are set, as in libcurl
    const xferInfo = this.get(CURLOPT.XFERINFOFUNCTION) ?? this.get(CURLOPT.PROGRESSFUNCTION);
    this.#hot = {
      verbose: this.num(CURLOPT.VERBOSE) !== 0,
      headerLines: this.get(CURLOPT.HEADERFUNCTION) !== null || this.get(CURLOPT.HEADERDATA) !== null || this.num(CURLOPT.HEADER) !== 0,
      progress: this.num(CURLOPT.NOPROGRESS) === 0,
      xferInfo,
      timeoutMs: this.num(CURLOPT.TIMEOUT_MS) || this.num(CURLOPT.TIMEOUT) * 1000,
      connectTimeoutMs: this.num(CURLOPT.CONNECTTIMEOUT_MS) || this.num(CURLOPT.CONNECTTIMEOUT) * 1000,
      maxRecvSpeed: this.num(CURLOPT.MAX_RECV_SPEED_LARGE),
      maxSendSpeed: this.num(CURLOPT.MAX_SEND_SPEED_LARGE),
      lowSpeedLimit: this.num(CURLOPT.LOW_SPEED_LIMIT),
      lowSpeedTime: this.num(CURLOPT.LOW_SPEED_TIME),
      freshConnect: this.num(CURLOPT.FRESH_CONNECT) !== 0,
      forbidReuse: this.num(CURLOPT.FORBID_REUSE) !== 0,
      share: this.get(CURLOPT.SHARE),
      writeFn: this.get(CURLOPT.WRITEFUNCTION),
      writeData: this.get(CURLOPT.WRITEDATA),
      noBody: this.num(CURLOPT.NOBODY) !== 0,
      writeMax: Math.min(this.num(CURLOPT.BUFFERSIZE), CURL_MAX_WRITE_SIZE),
      maxFilesize: this.num(CURLOPT.MAXFILESIZE_LARGE) || this.num(CURLOPT.MAXFILESIZE),
      headerFn: this.get(CURLOPT.HEADERFUNCTION),
      headerData: this.get(CURLOPT.HEADERDATA),
      includeHeader: this.num(CURLOPT.HEADER) !== 0,
    };
    this.#hotGeneration = this.#generation;
    return this.#hot;
  }

  /** The request kind set by the options (libcurl's data->set.method). */
  get method(): HttpReq {
    return this.#method;
  }

  /** Changes on every set(): values derived from the options can be cached per generation. */
  get generation(): number {
    return this.#generation;
  }

  get(id: number): unknown {
    // set() never stores undefined (null deletes): a miss is an unset option
    const v = this.#values.get(id);
    if (v !== undefined) return v;
    return DEFAULTS.get(id) ?? null;
  }
  num(id: number): number {
    const v = this.get(id);
    return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : 0;
  }
  str(id: number): string | null {
    const v = this.get(id);
    return typeof v === 'string' ? v : null;
  }
  has(id: number): boolean {
    return this.#values.has(id);
  }

  /** curl_easy_setopt's checks; stores the value on success. */
  set(id: unknown, value: unknown): CURLcode {
    this.#generation++;
    const entry = typeof id === 'number' ? BY_ID.get(id) : typeof id === 'string' ? optionByName(id) : undefined;
    if (!entry) return CURLE.UNKNOWN_OPTION;
    const v = normalise(entry, value);
    if (v === INVALID) return CURLE.BAD_FUNCTION_ARGUMENT;
    if (!IMPLEMENTED.has(entry.id)) return CURLE.NOT_BUILT_IN;
    if (typeof v === 'number' && v < 0 && NON_NEGATIVE.has(entry.id)) return CURLE.BAD_FUNCTION_ARGUMENT;
    if (PORT_RANGE.has(entry.id) && typeof v === 'number' && v > 65535) return CURLE.BAD_FUNCTION_ARGUMENT;
    if (entry.id === CURLOPT.TCP_KEEPIDLE && typeof v === 'number' && v > 0x7fffffff) return this.set(id, 0x7fffffff);
    const other = UNIX_SOCKET_PAIR.get(entry.id);
    if (other !== undefined) this.#values.delete(other);
    // CURLPROXY_HTTP .. CURLPROXY_SOCKS5_HOSTNAME
    if (entry.id === CURLOPT.PROXYTYPE && typeof v === 'number' && (v < 0 || v > 7)) return CURLE.BAD_FUNCTION_ARGUMENT;
    if ((entry.id === CURLOPT.SSL_VERIFYHOST || entry.id === CURLOPT.PROXY_SSL_VERIFYHOST || entry.id === CURLOPT.CONNECT_ONLY) && typeof v === 'number' && (v < 0 || v > 2)) return CURLE.BAD_FUNCTION_ARGUMENT;
    // CURL_TIMECOND_NONE .. CURL_TIMECOND_LASTMOD; a resume offset of -1 means "the end" (uploads)
    if (entry.id === CURLOPT.TIMECONDITION && typeof v === 'number' && (v < 0 || v > 3)) return CURLE.BAD_FUNCTION_ARGUMENT;
    // 0 or a CURLFOLLOW_* mode: since those modes (8.13) libcurl's setopt refuses any other value
    // (7.88 took every non-zero one as "follow"), and the mode set before stays
    if (entry.id === CURLOPT.FOLLOWLOCATION && typeof v === 'number' && (v < 0 || v > 3)) return CURLE.BAD_FUNCTION_ARGUMENT;
    // CURLUSESSL_NONE..ALL; SERVER_RESPONSE_TIMEOUT(_MS) is a time
    if (entry.id === CURLOPT.USE_SSL && typeof v === 'number' && (v < 0 || v > 3)) return CURLE.BAD_FUNCTION_ARGUMENT;
    if ((entry.id === CURLOPT.RESUME_FROM || entry.id === CURLOPT.RESUME_FROM_LARGE) && typeof v === 'number' && v < -1) {
      return CURLE.BAD_FUNCTION_ARGUMENT;
    }
    if (entry.id === CURLOPT.SSLVERSION && typeof v === 'number' && !validSslVersion(v)) return CURLE.BAD_FUNCTION_ARGUMENT;
    // libcurl without nghttp2 (or QUIC) refuses the versions it cannot speak
    if (entry.id === CURLOPT.HTTP_VERSION && typeof v === 'number') {
      if (v < 0) return CURLE.BAD_FUNCTION_ARGUMENT;
      if (!httpVersionBuilt(v)) return CURLE.UNSUPPORTED_PROTOCOL;
    }
    // libcurl's range for an HTTP/2 weight
    if (entry.id === CURLOPT.STREAM_WEIGHT && typeof v === 'number' && (v < 1 || v > 256)) return CURLE.BAD_FUNCTION_ARGUMENT;
    // permission bits only (file: uploads create files with them)
    if (entry.id === CURLOPT.NEW_FILE_PERMS && typeof v === 'number' && (v < 0 || v > 0o777)) return CURLE.BAD_FUNCTION_ARGUMENT;
    if (TWINS.has(entry.id) && typeof v === 'number' && v < -1) return CURLE.BAD_FUNCTION_ARGUMENT;
    if (entry.id === CURLOPT.BUFFERSIZE && typeof v === 'number') {
      // libcurl 7.88's setopt: above the maximum -> the maximum, below 1 ->
      // the default, below the minimum -> the minimum; never an error
      const size = v > CURL_MAX_READ_SIZE ? CURL_MAX_READ_SIZE : v < 1 ? CURL_MAX_WRITE_SIZE : Math.max(v, READBUFFER_MIN);
      this.#values.set(entry.id, size);
      return CURLE.OK;
    }
    if (entry.id === CURLOPT.UPLOAD_BUFFERSIZE && typeof v === 'number') {
      // libcurl clamps to [16 KiB, 2 MiB]
      this.#values.set(entry.id, Math.min(Math.max(v, 16 * 1024), 2 * 1024 * 1024));
      return CURLE.OK;
    }
    if (entry.id === CURLOPT.COPYPOSTFIELDS && v !== null) {
      // COPYPOSTFIELDS copies now; later changes to the caller's buffer must not leak in
      this.#values.set(CURLOPT.POSTFIELDS, typeof v === 'string' ? textToBuffer(v) : Buffer.from(v as Buffer));
      this.#values.set(CURLOPT.POST, 1);
      this.#method = HTTPREQ.POST;
      return CURLE.OK;
    }
    const auth = authOption(entry.id, v);
    if (auth !== null) {
      if (typeof auth === 'number') return auth;
      for (const [k, val] of auth) {
        if (val === null) this.#values.delete(k);
        else this.#values.set(k, val);
      }
      return CURLE.OK;
    }
    if (v === null) this.#values.delete(entry.id);
    else this.#values.set(entry.id, v);
    const twin = TWINS.get(entry.id);
    if (twin !== undefined) {
      if (v === null) this.#values.delete(twin);
      else this.#values.set(twin, v);
    }
    this.#methodRules(entry.id, v);
    return CURLE.OK;
  }

  /** libcurl's setopt side effects on data->set.method and opt_no_body. */
  #methodRules(id: number, v: unknown): void {
    switch (id) {
      case CURLOPT.POSTFIELDS:
        // libcurl: setting POSTFIELDS (even to NULL) makes the request a POST
        this.#method = HTTPREQ.POST;
        if (v === null) this.#values.delete(CURLOPT.POST);
        else this.#values.set(CURLOPT.POST, 1);
        break;
      case CURLOPT.POST:
        if (v) {
          this.#method = HTTPREQ.POST;
          this.#values.delete(CURLOPT.NOBODY);
        } else this.#method = HTTPREQ.GET;
        break;
      case CURLOPT.UPLOAD:
        if (v) {
          this.#method = HTTPREQ.PUT;
          this.#values.delete(CURLOPT.NOBODY);
        } else this.#method = HTTPREQ.GET;
        break;
      case CURLOPT.HTTPGET:
        if (v) {
          this.#method = HTTPREQ.GET;
          this.#values.delete(CURLOPT.POST);
          this.#values.delete(CURLOPT.NOBODY);
          this.#values.delete(CURLOPT.UPLOAD);
        }
        break;
      case CURLOPT.NOBODY:
        if (v) this.#method = HTTPREQ.HEAD;
        else if (this.#method === HTTPREQ.HEAD) this.#method = HTTPREQ.GET;
        break;
      case CURLOPT.MIMEPOST:
        this.#method = HTTPREQ.POST_MIME;
        break;
    }
  }

  clone(): OptionStore {
    const o = new OptionStore();
    for (const [k, v] of this.#values) o.#values.set(k, Array.isArray(v) ? [...v] : v);
    o.#method = this.#method;
    return o;
  }
}

const INVALID = Symbol('invalid');

function normalise(entry: OptionTableEntry, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (entry.type) {
    case 'LONG':
    case 'VALUES':
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      if (typeof value === 'bigint') return Number(value);
      return INVALID;
    case 'OFF_T':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      // a bigint asks for an exact value: one a number cannot hold (past 2^53 - 1) would be rounded
      // (a RESUME_FROM_LARGE offset sent as another byte), so it is refused, not changed
      if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : INVALID;
      return INVALID;
    case 'STRINGPOINT':
      return typeof value === 'string' ? value : INVALID;
    case 'SLISTPOINT':
      return Array.isArray(value) && value.every((s) => typeof s === 'string') ? [...value] : INVALID;
    case 'FUNCTIONPOINT':
      return typeof value === 'function' ? value : INVALID;
    case 'BLOB':
      return value instanceof Uint8Array ? Buffer.from(value) : INVALID;
    case 'OBJECTPOINT':
      if (entry.id === CURLOPT.POSTFIELDS || entry.id === CURLOPT.COPYPOSTFIELDS) {
        return typeof value === 'string' || value instanceof Uint8Array ? value : INVALID;
      }
      if (entry.id === CURLOPT.ERRORBUFFER) return typeof value === 'object' ? value : INVALID;
      if (entry.id === CURLOPT.SHARE) return shareInternals(value) ? value : INVALID;
      if (entry.id === CURLOPT.MIMEPOST) return value instanceof Mime ? value : INVALID;
      if (entry.id === CURLOPT.CURLU) return value instanceof CurlUrl ? value : INVALID;
      if (entry.id === CURLOPT.STREAM_DEPENDS || entry.id === CURLOPT.STREAM_DEPENDS_E) return internalsOf(value) ? value : INVALID;
      // CURLOPT_STDERR is a FILE*: a file descriptor or a Node Writable
      if (entry.id === CURLOPT.STDERR) return isFileTarget(value) ? value : INVALID;
      return value;
    case 'CBPOINT':
      return value;
  }
}

/**
 * setopt rules of the authentication options: USERPWD fills USERNAME and
 * PASSWORD (split at the first colon; no colon means no password), HTTPAUTH
 * must keep a bit this build supports, AWS_SIGV4 switches HTTPAUTH to
 * CURLAUTH_AWS_SIGV4 and a signing HTTPSIG_ALGORITHM to CURLAUTH_HTTPSIG;
 * HTTPSIG_HEADERS must be a usable component list. Returns the values to store, a CURLcode, or null for
 * "not an auth option".
 */
function authOption(id: number, v: unknown): [number, unknown][] | CURLcode | null {
  switch (id) {
    case CURLOPT.USERPWD: {
      if (v === null) return [[CURLOPT.USERNAME, null], [CURLOPT.PASSWORD, null]];
      const s = v as string;
      const colon = s.indexOf(':');
      return colon < 0 ? [[CURLOPT.USERNAME, s], [CURLOPT.PASSWORD, null]]
        : [[CURLOPT.USERNAME, s.slice(0, colon)], [CURLOPT.PASSWORD, s.slice(colon + 1)]];
    }
    case CURLOPT.PROXYUSERPWD: {
      if (v === null) return [[CURLOPT.PROXYUSERNAME, null], [CURLOPT.PROXYPASSWORD, null]];
      const s = v as string;
      const colon = s.indexOf(':');
      return colon < 0 ? [[CURLOPT.PROXYUSERNAME, s], [CURLOPT.PROXYPASSWORD, null]]
        : [[CURLOPT.PROXYUSERNAME, s.slice(0, colon)], [CURLOPT.PROXYPASSWORD, s.slice(colon + 1)]];
    }
    case CURLOPT.HTTPAUTH:
    case CURLOPT.PROXYAUTH:
      if (v === null) return null;
      return normaliseHttpAuth(v as number) === null ? CURLE.NOT_BUILT_IN : [[id, (v as number) >>> 0]];
    case CURLOPT.NETRC:
      return typeof v === 'number' && (v < 0 || v > 2) ? CURLE.BAD_FUNCTION_ARGUMENT : null;
    case CURLOPT.AWS_SIGV4:
      return v === null ? [[id, null]] : [[id, v], [CURLOPT.HTTPAUTH, CURLAUTH.AWS_SIGV4]];
    case CURLOPT.HTTPSIG_ALGORITHM:
      if (v === null || v === CURLHTTPSIG.NONE) return [[id, v]];
      return v === CURLHTTPSIG.ED25519 || v === CURLHTTPSIG.HMAC_SHA256 ? [[id, v], [CURLOPT.HTTPAUTH, CURLAUTH.HTTPSIG]] : CURLE.BAD_FUNCTION_ARGUMENT;
    case CURLOPT.HTTPSIG_HEADERS:
      return v === null || parseComponents(v as string) !== null ? null : CURLE.BAD_FUNCTION_ARGUMENT;
  }
  return null;
}

