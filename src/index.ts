// tscurl public API: everything a user imports comes from here.
export { CURLE, CURLM, CURLSHE, easyStrerror, multiStrerror, shareStrerror } from './codes.js';
export type { CURLcode, CURLMcode, CURLSHcode } from './codes.js';
export { CURLOPT } from './easy/option-table.js';
export { CURLINFO } from './easy/info-table.js';
export { CURLMOPT } from './multi/mopt-table.js';
export {
  CURL_POLL, CURL_CSELECT, CURL_SOCKET_TIMEOUT, CURL_SOCKET_BAD, CURLMSG, CURLPAUSE, CURL_WRITEFUNC_PAUSE,
  CURL_WRITEFUNC_ERROR, CURL_READFUNC_ABORT, CURL_READFUNC_PAUSE, CURLINFO_TYPE, CURL_IPRESOLVE,
  CURL_HTTP_VERSION, CURLPROTO, CURLH, CURLHE, CURL_TIMECOND, CURL_SSLVERSION, CURLSSLOPT, CURLPROXY, CURLHEADER, CURLPX,
} from './constants.js';
export type { CURLHcode } from './constants.js';
export type { CurlHeader } from './easy/header-store.js';
export { CURLAUTH, CURL_NETRC } from './auth/curlauth.js';
export { Easy } from './easy/easy.js';
export { Mime, MimePart, CURL_ZERO_TERMINATED } from './cr/mime.js';
export type { MimeReadCallback, MimeSeekCallback, MimeFreeCallback } from './cr/mime.js';
export { CURL_SEEKFUNC } from './cr/callback-reader.js';
export { CURLMIMEOPT } from './cr/mime-reader.js';
export { Multi } from './multi/multi.js';
export { Share, CURLSHOPT, CURL_LOCK_DATA } from './share/share.js';
export { CURLHSTS, CURLSTS } from './easy/hsts-callbacks.js';
export type { CurlHstsEntry, CurlIndex, HstsReadCallback, HstsWriteCallback } from './easy/hsts-callbacks.js';
export { CURLALTSVC } from './altsvc/altsvc-cache.js';
export type { MultiSocketCallback, MultiTimerCallback, DoneMessage } from './multi/multi.js';
export { SocketWatcher } from './transport/socket-watcher.js';
export type { SocketWatcherCallback } from './transport/socket-watcher.js';
export type { IoResult } from './easy/connect-only.js';
export type { WsRecvOutcome, WsSendOutcome } from './easy/ws-api.js';
export type { WsFrameMeta } from './ws/ws-flags.js';
export { CURLWS, CURLWS_OPT } from './ws/ws-flags.js';
export { optionByName, optionById } from './easy/option-store.js';
export { openSocketCount } from './transport/socket-table.js';
// curl's URL API (curl_url, curl_url_set/get/dup, curl_url_strerror)
export { CurlUrl, CURLUE, CURLUPART, CURLU, urlStrerror } from './url/index.js';
export type { CURLUcode, CURLUPart } from './url/index.js';
export type { OptionId, OptionValue } from './easy/option-types.js';
export type { InfoId, InfoValue, CurlCertinfo } from './easy/getinfo.js';
export type * from './easy/callbacks.js';
export const VERSION: string = '0.1.0';
