// libcurl's small constant sets used by the public API (curl/curl.h, curl/multi.h).

/** what-values passed to CURLMOPT_SOCKETFUNCTION. */
export const CURL_POLL = { NONE: 0, IN: 1, OUT: 2, INOUT: 3, REMOVE: 4 } as const;
/** ev_bitmask bits for socketAction(). */
export const CURL_CSELECT = { IN: 0x01, OUT: 0x02, ERR: 0x04 } as const;
/** The socket value that means "a timeout expired" for socketAction(). */
export const CURL_SOCKET_TIMEOUT = -1;
export const CURL_SOCKET_BAD = -1;
/** infoRead() message kinds. */
export const CURLMSG = { NONE: 0, DONE: 1 } as const;
/** easy.pause() bitmask. */
export const CURLPAUSE = { RECV: 1 << 0, RECV_CONT: 0, SEND: 1 << 2, SEND_CONT: 0, ALL: (1 << 0) | (1 << 2), CONT: 0 } as const;
/** Magic return values of WRITEFUNCTION / READFUNCTION. */
export const CURL_WRITEFUNC_PAUSE = 0x10000001;
export const CURL_WRITEFUNC_ERROR = 0xffffffff;
export const CURL_READFUNC_ABORT = 0x10000000;
export const CURL_READFUNC_PAUSE = 0x10000001;
/** curl_infotype for DEBUGFUNCTION. */
export const CURLINFO_TYPE = {
  TEXT: 0, HEADER_IN: 1, HEADER_OUT: 2, DATA_IN: 3, DATA_OUT: 4, SSL_DATA_IN: 5, SSL_DATA_OUT: 6,
} as const;
/** CURLOPT_IPRESOLVE values. */
export const CURL_IPRESOLVE = { WHATEVER: 0, V4: 1, V6: 2 } as const;
/** CURLOPT_HTTP_VERSION values. */
export const CURL_HTTP_VERSION = {
  NONE: 0, '1_0': 1, '1_1': 2, '2_0': 3, '2TLS': 4, '2_PRIOR_KNOWLEDGE': 5, '3': 30, '3ONLY': 31,
} as const;
/** CURLOPT_PROTOCOLS bits (CURLPROTO_*). */
export const CURLPROTO = {
  HTTP: 1 << 0, HTTPS: 1 << 1, FTP: 1 << 2, FTPS: 1 << 3, SCP: 1 << 4, SFTP: 1 << 5, TELNET: 1 << 6,
  LDAP: 1 << 7, LDAPS: 1 << 8, DICT: 1 << 9, FILE: 1 << 10, TFTP: 1 << 11, IMAP: 1 << 12, IMAPS: 1 << 13,
  POP3: 1 << 14, POP3S: 1 << 15, SMTP: 1 << 16, SMTPS: 1 << 17, RTSP: 1 << 18, RTMP: 1 << 19,
  RTMPT: 1 << 20, RTMPE: 1 << 21, RTMPTE: 1 << 22, RTMPS: 1 << 23, RTMPTS: 1 << 24, GOPHER: 1 << 25,
  SMB: 1 << 26, SMBS: 1 << 27, MQTT: 1 << 28, GOPHERS: 1 << 29,
  // libcurl 8's bits for WebSocket (CURLPROTO_WSS is bit 31, positive in C's unsigned int)
  WS: 2 ** 30, WSS: 2 ** 31,
  ALL: ~0,
} as const;

/** curl_easy_header() origins (CURLH_*) and results (CURLHcode). */
export const CURLH = {
  HEADER: 1 << 0,
  TRAILER: 1 << 1,
  CONNECT: 1 << 2,
  '1XX': 1 << 3,
  PSEUDO: 1 << 4,
} as const;

/** CURLHcode values. */
export const CURLHE = {
  OK: 0,
  BADINDEX: 1,
  MISSING: 2,
  NOHEADERS: 3,
  NOREQUEST: 4,
  OUT_OF_MEMORY: 5,
  BAD_ARGUMENT: 6,
  NOT_BUILT_IN: 7,
} as const;
export type CURLHcode = (typeof CURLHE)[keyof typeof CURLHE];

/**
 * CURLOPT_FOLLOWLOCATION's values (curl 8.13; setopt refuses others): ALL (1, "follow" before 8.13)
 * keeps a CUSTOMREQUEST method on every request; OBEYCODE drops it where the response code
 * changes the method (301/302 of a POST, 303); FIRSTONLY uses it for the first request only.
 */
export const CURLFOLLOW = { ALL: 1, OBEYCODE: 2, FIRSTONLY: 3 } as const;
/** CURLOPT_TIMECONDITION values. */
export const CURL_TIMECOND = { NONE: 0, IFMODSINCE: 1, IFUNMODSINCE: 2, LASTMOD: 3 } as const;
/** CURLOPT_SSLVERSION values: a minimum in the low 16 bits, optionally OR'ed with one MAX_* value. */
export const CURL_SSLVERSION = {
  DEFAULT: 0, TLSv1: 1, SSLv2: 2, SSLv3: 3, TLSv1_0: 4, TLSv1_1: 5, TLSv1_2: 6, TLSv1_3: 7, LAST: 8,
  MAX_NONE: 0, MAX_DEFAULT: 1 << 16, MAX_TLSv1_0: 4 << 16, MAX_TLSv1_1: 5 << 16, MAX_TLSv1_2: 6 << 16,
  MAX_TLSv1_3: 7 << 16, MAX_LAST: 8 << 16,
} as const;
/** CURLOPT_SSL_OPTIONS bits. */
export const CURLSSLOPT = {
  ALLOW_BEAST: 1 << 0, NO_REVOKE: 1 << 1, NO_PARTIALCHAIN: 1 << 2, REVOKE_BEST_EFFORT: 1 << 3,
  NATIVE_CA: 1 << 4, AUTO_CLIENT_CERT: 1 << 5, EARLYDATA: 1 << 6,
} as const;

/** CURLOPT_PROXYTYPE values (curl_proxytype). */
export const CURLPROXY = {
  HTTP: 0, HTTP_1_0: 1, HTTPS: 2, HTTPS2: 3, SOCKS4: 4, SOCKS5: 5, SOCKS4A: 6, SOCKS5_HOSTNAME: 7,
} as const;
/** CURLOPT_HEADEROPT values. */
export const CURLHEADER = { UNIFIED: 0, SEPARATE: 1 << 0 } as const;
/** CURLINFO_PROXY_ERROR values (CURLproxycode): CURLPX_OK, then alphabetical, as in curl.h. */
export const CURLPX = {
  OK: 0, BAD_ADDRESS_TYPE: 1, BAD_VERSION: 2, CLOSED: 3, GSSAPI: 4, GSSAPI_PERMSG: 5, GSSAPI_PROTECTION: 6,
  IDENTD: 7, IDENTD_DIFFER: 8, LONG_HOSTNAME: 9, LONG_PASSWD: 10, LONG_USER: 11, NO_AUTH: 12, RECV_ADDRESS: 13,
  RECV_AUTH: 14, RECV_CONNECT: 15, RECV_REQACK: 16, REPLY_ADDRESS_TYPE_NOT_SUPPORTED: 17,
  REPLY_COMMAND_NOT_SUPPORTED: 18, REPLY_CONNECTION_REFUSED: 19, REPLY_GENERAL_SERVER_FAILURE: 20,
  REPLY_HOST_UNREACHABLE: 21, REPLY_NETWORK_UNREACHABLE: 22, REPLY_NOT_ALLOWED: 23, REPLY_TTL_EXPIRED: 24,
  REPLY_UNASSIGNED: 25, REQUEST_FAILED: 26, RESOLVE_HOST: 27, SEND_AUTH: 28, SEND_CONNECT: 29, SEND_REQUEST: 30,
  UNKNOWN_FAIL: 31, UNKNOWN_MODE: 32, USER_REJECTED: 33,
} as const;

/** CURLMOPT_PIPELINING bits: HTTP1 has had no effect since 7.62.0; MULTIPLEX (the default) multiplexes HTTP/2. */
export const CURLPIPE = { NOTHING: 0, HTTP1: 1, MULTIPLEX: 2 } as const;

/** CURLOPT_UPLOAD_FLAGS bits: the IMAP flags an APPENDed message gets (libcurl 8.13). */
export const CURLULFLAG = { ANSWERED: 1 << 0, DELETED: 1 << 1, DRAFT: 1 << 2, FLAGGED: 1 << 3, SEEN: 1 << 4 } as const;

/** CURLMOPT_PUSHFUNCTION's answers: accept the pushed stream, refuse it, or refuse it and fail the connection. */
export const CURL_PUSH_OK = 0;
export const CURL_PUSH_DENY = 1;
export const CURL_PUSH_ERROROUT = 2;

/** PROGRESSFUNCTION/XFERINFOFUNCTION's "go on" answer that is not 0 (libcurl runs its own meter too). */
export const CURL_PROGRESSFUNC_CONTINUE = 0x10000001;
