// CURLcode / CURLMcode / CURLSHcode values (generated from libcurl's headers)
// and their strerror texts, identical to libcurl 7.88.1's lib/strerror.c (the
// version the CLI follows; curl 8 rewords "Couldn't" as "Could not"), plus
// CURLE_TOO_LARGE (100), which 7.88 does not have.
import { CURLE, CURLM, CURLSHE } from './codes-table.js';

export { CURLE, CURLM, CURLSHE };
export type CURLcode = number;
export type CURLMcode = number;
export type CURLSHcode = number;

const EASY_TEXT: Record<number, string> = {
  [CURLE.OK]: 'No error',
  [CURLE.UNSUPPORTED_PROTOCOL]: 'Unsupported protocol',
  [CURLE.FAILED_INIT]: 'Failed initialization',
  [CURLE.URL_MALFORMAT]: 'URL using bad/illegal format or missing URL',
  [CURLE.NOT_BUILT_IN]: 'A requested feature, protocol or option was not found built-in in this libcurl due to a build-time decision.',
  [CURLE.COULDNT_RESOLVE_PROXY]: "Couldn't resolve proxy name",
  [CURLE.COULDNT_RESOLVE_HOST]: "Couldn't resolve host name",
  [CURLE.COULDNT_CONNECT]: "Couldn't connect to server",
  [CURLE.WEIRD_SERVER_REPLY]: 'Weird server reply',
  [CURLE.REMOTE_ACCESS_DENIED]: 'Access denied to remote resource',
  [CURLE.FTP_ACCEPT_FAILED]: 'FTP: The server failed to connect to data port',
  [CURLE.FTP_ACCEPT_TIMEOUT]: 'FTP: Accepting server connect has timed out',
  [CURLE.FTP_PRET_FAILED]: 'FTP: The server did not accept the PRET command.',
  [CURLE.FTP_WEIRD_PASS_REPLY]: 'FTP: unknown PASS reply',
  [CURLE.FTP_WEIRD_PASV_REPLY]: 'FTP: unknown PASV reply',
  [CURLE.FTP_WEIRD_227_FORMAT]: 'FTP: unknown 227 response format',
  [CURLE.FTP_CANT_GET_HOST]: "FTP: can't figure out the host in the PASV response",
  [CURLE.HTTP2]: 'Error in the HTTP2 framing layer',
  [CURLE.FTP_COULDNT_SET_TYPE]: "FTP: couldn't set file type",
  [CURLE.PARTIAL_FILE]: 'Transferred a partial file',
  [CURLE.FTP_COULDNT_RETR_FILE]: "FTP: couldn't retrieve (RETR failed) the specified file",
  [CURLE.QUOTE_ERROR]: 'Quote command returned error',
  [CURLE.HTTP_RETURNED_ERROR]: 'HTTP response code said error',
  [CURLE.WRITE_ERROR]: 'Failed writing received data to disk/application',
  [CURLE.UPLOAD_FAILED]: 'Upload failed (at start/before it took off)',
  [CURLE.READ_ERROR]: 'Failed to open/read local data from file/application',
  [CURLE.OUT_OF_MEMORY]: 'Out of memory',
  [CURLE.OPERATION_TIMEDOUT]: 'Timeout was reached',
  // 34 and 41 are CURLE_HTTP_POST_ERROR and CURLE_FUNCTION_NOT_FOUND in 7.88 (CURLE_OBSOLETE* later); never returned, still named
  [CURLE.OBSOLETE34]: 'Internal problem setting up the POST',
  [CURLE.OBSOLETE41]: 'A required function in the library was not found',
  [CURLE.FTP_PORT_FAILED]: 'FTP: command PORT failed',
  [CURLE.FTP_COULDNT_USE_REST]: 'FTP: command REST failed',
  [CURLE.RANGE_ERROR]: 'Requested range was not delivered by the server',
  [CURLE.SSL_CONNECT_ERROR]: 'SSL connect error',
  [CURLE.BAD_DOWNLOAD_RESUME]: "Couldn't resume download",
  [CURLE.FILE_COULDNT_READ_FILE]: "Couldn't read a file:// file",
  [CURLE.LDAP_CANNOT_BIND]: 'LDAP: cannot bind',
  [CURLE.LDAP_SEARCH_FAILED]: 'LDAP: search failed',
  [CURLE.ABORTED_BY_CALLBACK]: 'Operation was aborted by an application callback',
  [CURLE.BAD_FUNCTION_ARGUMENT]: 'A libcurl function was given a bad argument',
  [CURLE.INTERFACE_FAILED]: 'Failed binding local connection end',
  [CURLE.TOO_MANY_REDIRECTS]: 'Number of redirects hit maximum amount',
  [CURLE.UNKNOWN_OPTION]: 'An unknown option was passed in to libcurl',
  [CURLE.SETOPT_OPTION_SYNTAX]: 'Malformed option provided in a setopt',
  [CURLE.GOT_NOTHING]: 'Server returned nothing (no headers, no data)',
  [CURLE.SSL_ENGINE_NOTFOUND]: 'SSL crypto engine not found',
  [CURLE.SSL_ENGINE_SETFAILED]: 'Can not set SSL crypto engine as default',
  [CURLE.SSL_ENGINE_INITFAILED]: 'Failed to initialise SSL crypto engine',
  [CURLE.SEND_ERROR]: 'Failed sending data to the peer',
  [CURLE.RECV_ERROR]: 'Failure when receiving data from the peer',
  [CURLE.SSL_CERTPROBLEM]: 'Problem with the local SSL certificate',
  [CURLE.SSL_CIPHER]: "Couldn't use specified SSL cipher",
  [CURLE.PEER_FAILED_VERIFICATION]: "SSL peer certificate or SSH remote key was not OK",
  [CURLE.SSL_CACERT_BADFILE]: 'Problem with the SSL CA cert (path? access rights?)',
  [CURLE.BAD_CONTENT_ENCODING]: 'Unrecognized or bad HTTP Content or Transfer-Encoding',
  [CURLE.FILESIZE_EXCEEDED]: 'Maximum file size exceeded',
  [CURLE.USE_SSL_FAILED]: 'Requested SSL level failed',
  [CURLE.SSL_SHUTDOWN_FAILED]: 'Failed to shut down the SSL connection',
  [CURLE.SSL_CRL_BADFILE]: 'Failed to load CRL file (path? access rights?, format?)',
  [CURLE.SSL_ISSUER_ERROR]: 'Issuer check against peer certificate failed',
  [CURLE.SEND_FAIL_REWIND]: 'Send failed since rewinding of the data stream failed',
  [CURLE.LOGIN_DENIED]: 'Login denied',
  [CURLE.TFTP_NOTFOUND]: 'TFTP: File Not Found',
  [CURLE.TFTP_PERM]: 'TFTP: Access Violation',
  [CURLE.REMOTE_DISK_FULL]: 'Disk full or allocation exceeded',
  [CURLE.TFTP_ILLEGAL]: 'TFTP: Illegal operation',
  [CURLE.TFTP_UNKNOWNID]: 'TFTP: Unknown transfer ID',
  [CURLE.REMOTE_FILE_EXISTS]: 'Remote file already exists',
  [CURLE.TFTP_NOSUCHUSER]: 'TFTP: No such user',
  [CURLE.REMOTE_FILE_NOT_FOUND]: 'Remote file not found',
  [CURLE.SSH]: 'Error in the SSH layer',
  [CURLE.AGAIN]: 'Socket not ready for send/recv',
  [CURLE.RTSP_CSEQ_ERROR]: "RTSP CSeq mismatch or invalid CSeq",
  [CURLE.RTSP_SESSION_ERROR]: 'RTSP session error',
  [CURLE.FTP_BAD_FILE_LIST]: 'Unable to parse FTP file list',
  [CURLE.CHUNK_FAILED]: 'Chunk callback failed',
  [CURLE.NO_CONNECTION_AVAILABLE]: 'The max connection limit is reached',
  [CURLE.SSL_PINNEDPUBKEYNOTMATCH]: 'SSL public key does not match pinned public key',
  [CURLE.SSL_INVALIDCERTSTATUS]: 'SSL server certificate status verification FAILED',
  [CURLE.HTTP2_STREAM]: 'Stream error in the HTTP/2 framing layer',
  [CURLE.RECURSIVE_API_CALL]: 'API function called from within callback',
  [CURLE.AUTH_ERROR]: 'An authentication function returned an error',
  [CURLE.HTTP3]: 'HTTP/3 error',
  [CURLE.QUIC_CONNECT_ERROR]: 'QUIC connection error',
  [CURLE.PROXY]: 'proxy handshake error',
  [CURLE.SSL_CLIENTCERT]: 'SSL Client Certificate required',
  [CURLE.UNRECOVERABLE_POLL]: 'Unrecoverable error in select/poll',
  [CURLE.TOO_LARGE]: 'A value or data field grew larger than allowed',
  [CURLE.ECH_REQUIRED]: 'ECH attempted but failed',
};

const MULTI_TEXT: Record<number, string> = {
  [CURLM.CALL_MULTI_PERFORM]: 'Please call curl_multi_perform() soon',
  [CURLM.OK]: 'No error',
  [CURLM.BAD_HANDLE]: 'Invalid multi handle',
  [CURLM.BAD_EASY_HANDLE]: 'Invalid easy handle',
  [CURLM.OUT_OF_MEMORY]: 'Out of memory',
  [CURLM.INTERNAL_ERROR]: 'Internal error',
  [CURLM.BAD_SOCKET]: 'Invalid socket argument',
  [CURLM.UNKNOWN_OPTION]: 'Unknown option',
  [CURLM.ADDED_ALREADY]: 'The easy handle is already added to a multi handle',
  [CURLM.RECURSIVE_API_CALL]: 'API function called from within callback',
  [CURLM.WAKEUP_FAILURE]: 'Wakeup is unavailable or failed',
  [CURLM.BAD_FUNCTION_ARGUMENT]: 'A libcurl function was given a bad argument',
  [CURLM.ABORTED_BY_CALLBACK]: 'Operation was aborted by an application callback',
  [CURLM.UNRECOVERABLE_POLL]: 'Unrecoverable error in select/poll',
};

const SHARE_TEXT: Record<number, string> = {
  [CURLSHE.OK]: 'No error',
  [CURLSHE.BAD_OPTION]: 'Unknown share option',
  [CURLSHE.IN_USE]: 'Share currently in use',
  [CURLSHE.INVALID]: 'Invalid share handle',
  [CURLSHE.NOMEM]: 'Out of memory',
  [CURLSHE.NOT_BUILT_IN]: 'Feature not enabled in this library',
};

/** curl_easy_strerror */
export function easyStrerror(code: CURLcode): string {
  return EASY_TEXT[code] ?? 'Unknown error';
}
/** curl_multi_strerror */
export function multiStrerror(code: CURLMcode): string {
  return MULTI_TEXT[code] ?? 'Unknown error';
}
/** curl_share_strerror */
export function shareStrerror(code: CURLSHcode): string {
  return SHARE_TEXT[code] ?? 'CURLSHcode unknown';
}
