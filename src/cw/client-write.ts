// What every client writer agrees on (libcurl's sendf.h): the type bits of a
// write, the PAUSED answer, and what the writers need from the transfer they
// write for. The last is an interface, so that nothing in src/cw/ knows the
// multi engine's Transfer: the engine's Transfer satisfies it, a unit test
// passes a plain object.
import type { CURLcode } from '../codes.js';
import type { TraceHost } from '../util/trace.js';
import type { HeadLog } from './head-log.js';

/**
 * The `type` of ClientWriterStack.write() (libcurl's CLIENTWRITE_*). BODY
 * and HEADER are exclusive; the other bits say more about a HEADER.
 */
export const CLIENTWRITE = {
  /** response body bytes */
  BODY: 1 << 0,
  /** meta information that is not a header: to HEADERFUNCTION, never into the body stream (CURLOPT_HEADER) */
  INFO: 1 << 1,
  /** a header line: to HEADERFUNCTION and, with CURLOPT_HEADER, into the body stream */
  HEADER: 1 << 2,
  /** the status line */
  STATUS: 1 << 3,
  /** a line of a CONNECT response */
  CONNECT: 1 << 4,
  /** a line of a 1xx response */
  '1XX': 1 << 5,
  /** a trailer */
  TRAILER: 1 << 6,
} as const;

/**
 * A writer's answer when the application paused receiving
 * (CURL_WRITEFUNC_PAUSE): the bytes are held, the protocol stops feeding.
 * Not a CURLcode (those are >= 0).
 */
export const PAUSED = -2;

/** CURLE_OK, an error, or PAUSED. */
export type WriteResult = CURLcode | typeof PAUSED;

/** What the writers need of the transfer they write for. */
export interface ClientWriterHost extends TraceHost {
  /** CURLPAUSE bits: the writers set CURLPAUSE_RECV when WRITEFUNCTION pauses */
  pauseBits: number;
  /** body bytes received before content decoding (CURLINFO_SIZE_DOWNLOAD; MAXFILESIZE counts these) */
  sizeDownload: number;
  /** body bytes handed to the application (CURLINFO_SIZE_DELIVERED) */
  sizeDelivered: number;
  /** libcurl's failf(): record the error and its message */
  fail(code: CURLcode, message: string): void;
  /** the handle's head log (easy.keepHeaderBytes()): every header line is copied into it; null: none */
  readonly headLog: HeadLog | null;
}
