// tscurl public API: everything a user imports comes from here.
export { CURLE, CURLM, CURLSHE, easyStrerror, multiStrerror, shareStrerror } from './codes.js';
export type { CURLcode, CURLMcode, CURLSHcode } from './codes.js';
export { CURLOPT } from './easy/option-table.js';
export { CURLINFO } from './easy/info-table.js';
export { CURLMOPT } from './multi/mopt-table.js';
export {
  CURL_POLL, CURL_CSELECT, CURL_SOCKET_TIMEOUT, CURL_SOCKET_BAD, CURLMSG, CURLPAUSE, CURL_WRITEFUNC_PAUSE,
  CURL_WRITEFUNC_ERROR, CURL_READFUNC_ABORT, CURL_READFUNC_PAUSE, CURLINFO_TYPE, CURL_IPRESOLVE,
  CURL_HTTP_VERSION, CURLPROTO, CURLH, CURLHE, CURL_TIMECOND, CURLFOLLOW, CURL_SSLVERSION, CURLSSLOPT, CURLPROXY, CURLHEADER, CURLPX,
  CURLPIPE, CURL_PROGRESSFUNC_CONTINUE, CURL_PUSH_OK, CURL_PUSH_DENY, CURL_PUSH_ERROROUT, CURLULFLAG,
} from './constants.js';
export type { PushHeaders, PushCallback } from './multi/push.js';
export type { CURLHcode } from './constants.js';
export type { CurlHeader } from './easy/header-store.js';
export { CURLAUTH, CURL_NETRC } from './auth/curlauth.js';
export { CURLHTTPSIG, type CurlHttpSig } from './auth/httpsig.js';
export { Easy } from './easy/easy.js';
export { Mime, MimePart, CURL_ZERO_TERMINATED } from './cr/mime.js';
export type { MimeReadCallback, MimeSeekCallback, MimeFreeCallback } from './cr/mime.js';
export { CURL_SEEKFUNC } from './cr/callback-reader.js';
export { CURLMIMEOPT } from './cr/mime-reader.js';
export { Multi } from './multi/multi.js';
export { Share, CURLSHOPT, CURL_LOCK_DATA, CURL_LOCK_ACCESS } from './share/share.js';
export type { ShareLockCallback, ShareUnlockCallback } from './share/share.js';
export { CURLHSTS, CURLSTS } from './easy/hsts-callbacks.js';
export type { CurlHstsEntry, CurlIndex, HstsReadCallback, HstsWriteCallback } from './easy/hsts-callbacks.js';
export { CURLALTSVC } from './altsvc/altsvc-cache.js';
export { CURLSSH_AUTH, CURLKHSTAT, CURLKHMATCH, CURLKHTYPE } from './easy/ssh-callbacks.js';
export type { CurlKhKey, SshKeyCallback, SshHostKeyCallback } from './easy/ssh-callbacks.js';
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
export type { InfoId, InfoValue, CurlCertinfo, CurlTlsSessionInfo } from './easy/getinfo.js';
export { CURLSSLBACKEND } from './easy/getinfo.js';
export type { FileTarget, WriteData, ReadData } from './easy/option-types.js';
export type * from './easy/callbacks.js';
// FTP wildcard downloads: curl_fileinfo and the chunk / fnmatch callbacks' values
export { CURLFILETYPE, CURLFINFOFLAG } from './proto/ftp/ftp-listparse.js';
export type { CurlFileInfo } from './proto/ftp/ftp-listparse.js';
export { CURL_CHUNK_BGN_FUNC, CURL_CHUNK_END_FUNC } from './proto/ftp/ftp-wildcard.js';
export { CURL_FNMATCHFUNC } from './proto/ftp/fnmatch.js';
// curl_version, curl_version_info
export { VERSION, version, versionInfo, CURLVERSION } from './version-info.js';
export type { CurlVersionInfo } from './version-info.js';
export { CURL_VERSION } from './features.js';
// curl_easy_escape/curl_escape, curl_easy_unescape/curl_unescape, curl_getdate
export { escape, unescape } from './url/escape.js';
export { curlGetdate as getdate } from './cookies/parse-date.js';
// request(): the everyday Promise API (README "request()")
export { request } from './request/request.js';
export type { RequestOptions, RetryOptions, Progress, CurlOptions, HeaderInput } from './request/options.js';
export { CurlResponse, ResponseBody } from './request/response.js';
export type { HeaderRecord } from './request/response-head.js';
export { CurlError } from './request/errors.js';
export { MultiRunner, defaultRunner } from './request/multi-runner.js';
export type { RequestBody } from './request/upload-source.js';
