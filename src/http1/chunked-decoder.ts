// Theory of operation: the chunked transfer-coding decoder (RFC 9112 7.1),
// following libcurl's lib/http_chunks.c state for state.
//
//   hex ──(non-hex after ≥1 digit)──▶ ext ──LF──▶ data ──(size bytes)──▶ post ──LF──▶ hex
//                                        └──LF, size 0──▶ trailer ──blank line──▶ done
//
// - hex: up to 16 hex digits (curl's CHUNK_MAXNUM_LEN for a 64-bit curl_off_t);
//   a 17th digit is "Too long hexadecimal number", no digit at all (e.g. a
//   leading space or an empty line) is "Illegal or missing hexadecimal sequence".
// - ext: everything after the digits up to LF is skipped without buffering
//   (chunk extensions, stray spaces, the CR), so a long extension costs no memory.
// - post: CRs are skipped, LF ends the chunk, anything else is
//   "Malformed encoding found".
// - trailer: header lines until an empty one; a line without a colon is an
//   error (curl 7.88 ends with CURLE_BAD_FUNCTION_ARGUMENT, "Failed reading
//   the chunked-encoded stream" — we match it).
// All errors except the trailer one are CURLE_RECV_ERROR with curl's
// "<reason> in chunked-encoding" message.
//
// The decoder reads from a ByteQueue and never consumes bytes past the final
// blank line, so whatever follows the body stays in the queue.
import { CURLE } from '../codes.js';
import { ByteQueue, LINE_TOO_LONG } from './byte-queue.js';
import { trimOws } from './header-fields.js';

export type ChunkEvent =
  | { type: 'data'; data: Buffer }
  | { type: 'trailer'; name: string; value: string; raw: Buffer }
  | { type: 'end' }
  | { type: 'need-data' }
  | { type: 'error'; code: number; message: string };

const CHUNK_MAXNUM_LEN = 16;
/** curl's DYN_TRAILERS: a trailer line may not reach 64 KiB. */
const MAX_TRAILER_LINE = 64 * 1024;

type State = 'hex' | 'ext' | 'data' | 'post' | 'trailer' | 'done';

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  return -1;
}

function chunkError(reason: string): ChunkEvent {
  return { type: 'error', code: CURLE.RECV_ERROR, message: `${reason} in chunked-encoding` };
}

export class ChunkedDecoder {
  #state: State = 'hex';
  #digits = 0;
  #size = 0; // chunk size being read (hex) / bytes left in the chunk (data)

  /** True once the last chunk and the trailer section were read. */
  get done(): boolean {
    return this.#state === 'done';
  }

  /** Advance over queued bytes until there is something to report. */
  step(q: ByteQueue): ChunkEvent {
    for (;;) {
      switch (this.#state) {
        case 'hex': {
          const b = q.peekByte();
          if (b < 0) return { type: 'need-data' };
          const v = hexValue(b);
          if (v >= 0) {
            if (this.#digits >= CHUNK_MAXNUM_LEN) return chunkError('Too long hexadecimal number');
            this.#size = this.#size * 16 + v;
            this.#digits++;
            q.skipByte();
            continue;
          }
          if (this.#digits === 0) return chunkError('Illegal or missing hexadecimal sequence');
          // libcurl's strtoofft fails above 2^63-1; a JS number stops being
          // exact above 2^53. No real chunk comes near either.
          if (this.#size > Number.MAX_SAFE_INTEGER) return chunkError('Illegal or missing hexadecimal sequence');
          this.#state = 'ext';
          continue;
        }
        case 'ext':
          if (!q.skipThroughLF()) return { type: 'need-data' };
          this.#state = this.#size === 0 ? 'trailer' : 'data';
          continue;
        case 'data': {
          const data = q.take(this.#size);
          if (data.length === 0) return { type: 'need-data' };
          this.#size -= data.length;
          if (this.#size === 0) this.#state = 'post';
          return { type: 'data', data };
        }
        case 'post': {
          const b = q.peekByte();
          if (b < 0) return { type: 'need-data' };
          if (b === 0x0d) {
            q.skipByte();
            continue;
          }
          if (b !== 0x0a) return chunkError('Malformed encoding found');
          q.skipByte();
          this.#state = 'hex';
          this.#digits = 0;
          this.#size = 0;
          continue;
        }
        case 'trailer': {
          const line = q.readLine(MAX_TRAILER_LINE);
          if (line === null) return { type: 'need-data' };
          if (line === LINE_TOO_LONG) return { type: 'error', code: CURLE.TOO_LARGE, message: 'Too large trailer line' };
          // A line that is only CRLF or LF ends the trailer section.
          if (line[0] === 0x0a || (line[0] === 0x0d && line.length === 2)) {
            this.#state = 'done';
            return { type: 'end' };
          }
          const text = line.toString('latin1').replace(/\r?\n$/, '');
          const colon = text.indexOf(':');
          if (colon < 0) {
            return { type: 'error', code: CURLE.BAD_FUNCTION_ARGUMENT, message: 'Failed reading the chunked-encoded stream' };
          }
          return { type: 'trailer', name: text.slice(0, colon), value: trimOws(text.slice(colon + 1)), raw: line };
        }
        case 'done':
          return { type: 'end' };
      }
    }
  }
}
