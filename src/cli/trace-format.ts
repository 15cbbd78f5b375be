// The tool's debug callback output, as curl's tool_cb_dbg.c writes it:
//  - plain (-v): "* " text, "> " request header lines, "< " response header
//    lines, and one "{ [N bytes data]" note per run of data;
//  - bin (--trace): "== Info: " text, "=> Send header, N bytes (0xN)" then a
//    hex dump of 16 bytes a row with the printable characters beside it;
//  - ascii (--trace-ascii): the same without hex, 64 characters a row, and a
//    CRLF ends a row early.
// Every line may start with a --trace-time stamp and --trace-ids "[xfer-conn] ".
// Pure: give it (type, bytes, line prefix), get the text to write.

export type TraceMode = 'plain' | 'ascii' | 'bin';

const PLAIN_PREFIX = ['*', '<', '>', '{', '}', '{', '}'] as const;
const DUMP_TEXT = ['', '<= Recv header', '=> Send header', '<= Recv data', '=> Send data', '<= Recv SSL data', '=> Send SSL data'] as const;

const hex = (n: number, w: number): string => n.toString(16).padStart(w, '0');

/** curl's dump(): the "N bytes" line and the rows of a --trace/--trace-ascii block. */
export function dumpBlock(prefix: string, text: string, data: Buffer, mode: 'ascii' | 'bin'): string {
  const size = data.length;
  const width = mode === 'ascii' ? 0x40 : 0x10;
  let out = `${prefix}${text}, ${size} bytes (0x${size.toString(16)})\n`;
  for (let i = 0; i < size; i += width) {
    out += `${hex(i, 4)}: `;
    if (mode === 'bin') {
      for (let c = 0; c < width; c++) out += i + c < size ? `${hex(data[i + c]!, 2)} ` : '   ';
    }
    for (let c = 0; c < width && i + c < size; c++) {
      // a CRLF ends the row (ascii mode): skip past it and start the next row
      if (mode === 'ascii' && i + c + 1 < size && data[i + c] === 0x0d && data[i + c + 1] === 0x0a) {
        i += c + 2 - width;
        break;
      }
      const b = data[i + c]!;
      out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
      // check again, so that a CRLF right after a full row adds no empty row
      if (mode === 'ascii' && i + c + 2 < size && data[i + c + 1] === 0x0d && data[i + c + 2] === 0x0a) {
        i += c + 3 - width;
        break;
      }
    }
    out += '\n';
  }
  return out;
}

/** curl's --trace-time stamp: local "HH:MM:SS.uuuuuu ". */
export function traceTimestamp(epochUs: number): string {
  const secs = Math.floor(epochUs / 1e6);
  const d = new Date(secs * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(Math.floor(epochUs - secs * 1e6)).padStart(6, '0')} `;
}

/** curl 8's --trace-ids prefix: "[xfer-conn] ", or "[xfer-x] " before a connection exists. */
export function traceIds(xferId: number, connId: number): string {
  if (xferId < 0) return '';
  return connId >= 0 ? `[${xferId}-${connId}] ` : `[${xferId}-x] `;
}

/**
 * One formatter per command line: curl keeps its "line not finished" and
 * "data already noted" flags in statics shared by all transfers.
 */
export class TraceFormatter {
  readonly #mode: TraceMode;
  /** plain mode: data notes are left out when the body goes to the terminal the trace goes to */
  readonly #hideDataNotes: boolean;
  #newl = false;
  #tracedData = false;

  constructor(mode: TraceMode, hideDataNotes = false) {
    this.#mode = mode;
    this.#hideDataNotes = hideDataNotes;
  }

  /** Text for one DEBUGFUNCTION call; `prefix` is the time stamp and ids (may be ''). */
  format(type: number, data: Buffer, prefix = ''): string {
    if (this.#mode !== 'plain') {
      if (type === 0) return `${prefix}== Info: ${data.toString('latin1')}`;
      const text = DUMP_TEXT[type];
      return text ? dumpBlock(prefix, text, data, this.#mode) : '';
    }
    return this.#plain(type, data, prefix);
  }

  #plain(type: number, data: Buffer, prefix: string): string {
    const sym = PLAIN_PREFIX[type];
    if (sym === undefined) {
      this.#newl = false;
      this.#tracedData = false;
      return '';
    }
    const start = `${prefix}${sym} `;
    const endsOpen = data.length > 0 && data[data.length - 1] !== 0x0a;
    if (type >= 3) {
      if (this.#tracedData || this.#hideDataNotes) return '';
      const out = (this.#newl ? '' : start) + `[${data.length} bytes data]\n`;
      this.#newl = false;
      this.#tracedData = true;
      return out;
    }
    const text = data.toString('latin1');
    let out = '';
    if (type === 2) {
      // request headers come as one block: every line gets the prefix
      if (text.length > 0) {
        let st = 0;
        let i = 0;
        for (; i < text.length - 1; i++) {
          if (text[i] === '\n') {
            out += (this.#newl ? '' : start) + text.slice(st, i + 1);
            st = i + 1;
            this.#newl = false;
          }
        }
        out += (this.#newl ? '' : start) + text.slice(st, i + 1);
      }
    } else {
      out = (this.#newl ? '' : start) + text;
    }
    this.#newl = endsOpen;
    this.#tracedData = false;
    return out;
  }
}
