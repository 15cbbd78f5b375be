// POP3's multi-line replies (RFC 1939 section 3): the body ends at a line
// holding a lone ".", and a line that starts with "." came with one more
// ("dot-stuffing"). libcurl's pop3_write: the body handed on keeps the CRLF
// that ends its last line; the "." line is not part of it. Sans-I/O.

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

type State = 'line' | 'cr' | 'start' | 'dot' | 'dotcr';

export class DotBodyDecoder {
  /** the body begins at a line start (the CRLF of the +OK line came before) */
  #state: State = 'start';
  #ended = false;

  get ended(): boolean {
    return this.#ended;
  }

  /** Decode `data`: the body bytes in it, whether the end came, and the bytes after the end. */
  feed(data: Buffer): { body: Buffer; ended: boolean; rest: Buffer | null } {
    if (this.#ended) return { body: Buffer.alloc(0), ended: true, rest: data };
    const out = Buffer.allocUnsafe(data.length + 2);
    let n = 0;
    let s = this.#state;
    // bounded by data.length
    for (let i = 0; i < data.length; i++) {
      const b = data[i]!;
      switch (s) {
        case 'line':
          out[n++] = b;
          if (b === CR) s = 'cr';
          break;
        case 'cr':
          out[n++] = b;
          s = b === LF ? 'start' : b === CR ? 'cr' : 'line';
          break;
        case 'start':
          if (b === DOT) {
            s = 'dot';
          } else {
            out[n++] = b;
            s = b === CR ? 'cr' : 'line';
          }
          break;
        case 'dot':
          if (b === CR) {
            s = 'dotcr';
          } else {
            // ".." is one "."; a "." before anything else stays as it came
            if (b !== DOT) out[n++] = DOT;
            out[n++] = b;
            s = 'line';
          }
          break;
        case 'dotcr':
          if (b === LF) {
            this.#ended = true;
            this.#state = s;
            return { body: out.subarray(0, n), ended: true, rest: i + 1 < data.length ? data.subarray(i + 1) : null };
          }
          out[n++] = DOT;
          out[n++] = CR;
          out[n++] = b;
          s = b === CR ? 'cr' : 'line';
          break;
      }
    }
    this.#state = s;
    return { body: out.subarray(0, n), ended: false, rest: null };
  }
}

/**
 * SMTP's dot-stuffing of an upload (libcurl's smtp_escape_eob): a "." at the
 * start of a line gets another one, so no line of the message can end it.
 * The start of the message counts as a line start. `endsWithCrlf` says
 * whether the end of data needs only ".\r\n" or "\r\n.\r\n".
 */
export class DotStuffer {
  /** the last two bytes were CRLF (the start counts as such) */
  #lineStart = true;
  #lastCr = false;

  get endsWithCrlf(): boolean {
    return this.#lineStart;
  }

  stuff(data: Buffer): Buffer {
    let dots = 0;
    let lineStart = this.#lineStart;
    let lastCr = this.#lastCr;
    // bounded by data.length: count the dots to add first
    for (let i = 0; i < data.length; i++) {
      const b = data[i]!;
      if (b === DOT && lineStart) dots++;
      lineStart = b === LF && lastCr;
      lastCr = b === CR;
    }
    lineStart = this.#lineStart;
    lastCr = this.#lastCr;
    const out = dots ? Buffer.allocUnsafe(data.length + dots) : data;
    let n = 0;
    for (let i = 0; i < data.length; i++) {
      const b = data[i]!;
      if (dots) {
        if (b === DOT && lineStart) out[n++] = DOT;
        out[n++] = b;
      }
      lineStart = b === LF && lastCr;
      lastCr = b === CR;
    }
    this.#lineStart = lineStart;
    this.#lastCr = lastCr;
    return out;
  }
}

/** CURLOPT_CRLF on an upload: every LF goes out as CRLF (libcurl 7.88 converts each one). */
export function lfToCrlf(data: Buffer): Buffer {
  let lfs = 0;
  for (let i = 0; i < data.length; i++) if (data[i] === LF) lfs++;
  if (!lfs) return data;
  const out = Buffer.allocUnsafe(data.length + lfs);
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === LF) out[n++] = CR;
    out[n++] = data[i]!;
  }
  return out;
}
