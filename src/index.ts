// tscurl public API: everything a user imports comes from here.
export { CURLE, CURLM, CURLSHE, easyStrerror, multiStrerror, shareStrerror } from './codes.js';
export type { CURLcode, CURLMcode, CURLSHcode } from './codes.js';
export { CURLOPT } from './easy/option-table.js';
export { CURLINFO } from './easy/info-table.js';
export { CURLMOPT } from './multi/mopt-table.js';
