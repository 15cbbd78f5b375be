// tscurl/node-libcurl: node-libcurl 5's public API on tscurl's engine
// (README "node-libcurl drop-in"; the differences that remain are in
// docs/migrating-from-node-libcurl.md). This layer is a client of tscurl: it
// imports src/index.ts only.
export { Curl } from './curl.js';
export { Easy } from './easy.js';
export type { GetInfoReturn } from './easy.js';
export { Multi } from './multi.js';
export type { MultiOptions, MultiMessageCallback } from './multi.js';
export { Share } from './share.js';
export { CurlMime, CurlMimePart } from './mime.js';
export type { MimeDataCallbacks, HttpPostField } from './mime.js';
export type { CurlyMimePart } from './mime-post.js';
export { curly } from './curly.js';
export type {
  CurlyFunction, CurlyResult, CurlyHttpMethodCall, CurlyOptions, CurlyResponseBodyParser,
  CurlyResponseBodyParsersProperty,
} from './curly.js';
export { CurlError, CurlEasyError, CurlMultiError, CurlSharedError } from './errors.js';
export type { HeaderInfo } from './headers.js';
export * from './enums.js';
export * from './result-codes.js';
export type {
  CurlOptionName, CurlInfoName, MultiOptionName, CurlOption, CurlInfo, MultiOption, CurlOptionValueType,
  DataCallbackOptions, ProgressCallbackOptions, StringListOptions, BlobOptions, CurlHstsCacheEntry,
  CurlHstsCacheCount, CurlWsFrame, FileInfo, Http2PushFrameHeaders, CurlVersionInfoNativeBindingObject,
} from './types.js';
