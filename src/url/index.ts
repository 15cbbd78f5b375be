// curl's URL API (curl_url_*) and the transfer engine's URL view.
export { CURLUE, CURLUPART, CURLU, urlStrerror } from './url-codes.js';
export type { CURLUcode, CURLUPart } from './url-codes.js';
export { CurlUrl, curlUrl } from './curl-url.js';
export { escape, unescape } from './escape.js';
export type { UrlGetResult } from './curl-url.js';
export { parseTransferUrl, transferUrlFromHandle, ucToCurlcode } from './parse-url.js';
export type { TransferUrl, ParseTransferOptions } from './parse-url.js';
