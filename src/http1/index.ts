// Sans-I/O HTTP/1.x codec: response parsing, request head serialization and
// chunked upload encoding. No sockets, no timers, no node:* imports.
export { ResponseParser, MAX_HTTP_RESP_HEADER_SIZE, CURL_MAX_HTTP_HEADER } from './response-parser.js';
export type { ParseEvent, Framing, ResponseParserOptions } from './response-parser.js';
export { ChunkedDecoder } from './chunked-decoder.js';
export type { ChunkEvent } from './chunked-decoder.js';
export { encodeChunk, lastChunk } from './chunked-encoder.js';
export { serializeRequestHead } from './request-writer.js';
