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
//   read (the bytes past a Content-Length, which 7.88 would trace too, are
//   not, as before).
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

  constructor(guard: CallbackGuard, t: TraceHost) {
    this.#guard = guard;
    this.#t = t;
  }

  /** Body bytes as they came off the connection. */
  body(data: Buffer): void {
    if (data.length === 0) return;
    if (this.ignoreNote) {
      this.ignoreNote = false;
      traceData(this.#guard, this.#t, CURLINFO_TYPE.TEXT, 'Ignoring the response-body\n');
    }
    if (traceEnabled(this.#t)) traceData(this.#guard, this.#t, CURLINFO_TYPE.DATA_IN, data);
  }

  /** The final response's head ended (and its body is read): a chunked body is traced per read from here on. */
  headEnded(parser: ResponseParser): void {
    this.wire = parser.framing.kind === 'chunked';
    // what the head's read holds past the blank line (only traced, the parser reads it next)
    if (this.wire && traceEnabled(this.#t)) this.body(parser.peekUnread());
  }

  /** The response ended: bytes after a chunked body in its last read are reported as 7.88 does. */
  ended(parser: ResponseParser): void {
    if (!this.wire || !traceEnabled(this.#t)) return;
    const left = parser.peekUnread().length;
    // 7.88's infof("% " CURL_FORMAT_CURL_OFF_T "u bytes") prints " 5u" for 5: its words, as they come out
    if (left > 0) traceData(this.#guard, this.#t, CURLINFO_TYPE.TEXT, `Leftovers after chunking:  ${left}u bytes\n`);
  }
}
