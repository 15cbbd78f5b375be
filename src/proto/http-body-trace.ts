// How an HTTP exchange traces a response body as CURLINFO_DATA_IN, as curl
// 7.88 does in its read loop (transfer.c readwrite_data): the body part of
// each network read, traced before anything else is done with it ("pass
// data to the debug function before it gets dechunked"), also when the body
// is then dropped (a redirect followed on the same connection, an
// authentication round).
//
// - A chunked body (HTTP/1, whatever HTTP_TRANSFER_DECODING says) is traced
//   per read with its framing: chunk-size lines, CRLFs, the last chunk, the
//   trailers (which are then not HEADER_IN) and the final CRLF, plus any
//   bytes that followed in the same read. The read that ends the head is
//   traced from the blank line on, after the head's own trace. The exchange
//   traces a read when it feeds it to the parser, so a pause in the middle
//   neither repeats nor loses it: the bytes the writer refused wait in the
//   parser, already traced (curl holds them in its pause buffer).
// - Any other body is traced as the parser hands it out, which is how it
//   came: the parser passes those bytes through untouched, one piece per
//   read. Except when the read that ends the head holds more than the
//   Content-Length: 7.88 traces that whole read, excess included, and says
//   "Excess found in a read" (its later reads ask for no more than the body
//   still owed, so only the head's read can hold excess).
// - Bytes after a response without a body (HEAD, 204, 304, Content-Length:
//   0) in the head's read: 7.88's "Excess found: ... (zero-length body)".
// - The connection closing before any body byte came: 7.88 passes that
//   empty read on as DATA_IN of 0 bytes.
// What becomes of the connection is not decided here: the parser's
// keepAlive is false once bytes past the message were received (curl 7.88
// keeps the connection after a zero-length body's or an ignored body's
// excess and reads what comes next as the next response; see CHANGELOG).
// Tracing costs nothing when VERBOSE is off beyond one check per piece.
import { CURLINFO_TYPE } from '../constants.js';
import type { ResponseParser } from '../http1/response-parser.js';
import type { CallbackGuard } from '../util/callback-depth.js';
import { traceData, traceEnabled, type TraceHost } from '../util/trace.js';

export class BodyTrace {
  readonly #guard: CallbackGuard;
  readonly #t: TraceHost;
  /** a body to be ignored: say so before its first bytes are traced (Curl_http_firstwrite) */
  ignoreNote = false;
  /** the final response is chunked: its reads are traced whole (body()), not the de-chunked pieces */
  wire = false;
  /** body bytes the parser hands out next that were traced already, with the excess of the head's read */
  #traced = 0;
  /** some of the body was traced (libcurl's bodywrites) */
  #any = false;

  constructor(guard: CallbackGuard, t: TraceHost) {
    this.#guard = guard;
    this.#t = t;
  }

  /** Body bytes as they came off the connection. */
  body(data: Buffer): void {
    if (this.#traced > 0) {
      const n = Math.min(this.#traced, data.length);
      this.#traced -= n;
      data = data.subarray(n);
    }
    if (data.length === 0) return;
    if (this.ignoreNote) {
      this.ignoreNote = false;
      this.#info('Ignoring the response-body');
    }
    this.#any = true;
    if (traceEnabled(this.#t)) traceData(this.#guard, this.#t, CURLINFO_TYPE.DATA_IN, data);
  }

  /** The connection closed while the body is read: 7.88 passes on an empty read ("[0 bytes data]") when no body came before it. */
  eof(): void {
    if (this.#any || !traceEnabled(this.#t)) return;
    this.#any = true;
    traceData(this.#guard, this.#t, CURLINFO_TYPE.DATA_IN, Buffer.alloc(0));
  }

  /**
   * The final response's head ended (and its body is read): a chunked body
   * is traced per read from here on; a Content-Length body with excess in
   * this read is traced with the excess now. `ignored`: the body is dropped
   * (libcurl's ignorebody, which keeps it from saying "Excess found").
   */
  headEnded(parser: ResponseParser, ignored: boolean): void {
    this.wire = parser.framing.kind === 'chunked';
    if (!traceEnabled(this.#t)) return;
    // what the head's read holds past the blank line (only traced, the parser reads it next)
    if (this.wire) this.body(parser.peekUnread());
    const f = parser.framing;
    if (f.kind !== 'length' || f.length === 0) return; // no body: ended() speaks of what follows
    const rest = parser.peekUnread();
    if (rest.length <= f.length) return;
    this.body(rest);
    this.#traced = f.length;
    if (!ignored) this.#info(`Excess found in a read: excess = ${rest.length - f.length}, size = ${f.length}, maxdownload = ${f.length}, bytecount = 0`);
  }

  /**
   * The response ended: bytes after a chunked body, or after a response
   * without a body, in its last read are reported as 7.88 does. `path`: the
   * request's target (7.88 names its path).
   */
  ended(parser: ResponseParser, path: string): void {
    if (!traceEnabled(this.#t)) return;
    const left = parser.peekUnread().length;
    // after a 101 what follows is the new protocol's (HTTP/2, WebSocket), no excess
    if (left === 0 || parser.statusCode === 101) return;
    const f = parser.framing;
    // 7.88's infof("% " CURL_FORMAT_CURL_OFF_T "u bytes") prints " 5u" for 5: its words, as they come out
    if (this.wire) this.#info(`Leftovers after chunking:  ${left}u bytes`);
    else if (f.kind === 'none' || (f.kind === 'length' && f.length === 0)) {
      const q = path.indexOf('?');
      this.#info(`Excess found: excess = ${left} url = ${q < 0 ? path : path.slice(0, q)} (zero-length body)`);
    }
  }

  #info(text: string): void {
    traceData(this.#guard, this.#t, CURLINFO_TYPE.TEXT, text + '\n');
  }
}
