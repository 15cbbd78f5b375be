// Collects the header lines HEADERFUNCTION delivers into the last
// response's status and headers. libcurl hands over every response of a
// transfer (1xx interim ones, redirects it follows, auth challenges it
// answers) and, after the body, the trailers: a status line starts a new
// response, lines after the body are trailers.

export type HeaderRecord = Record<string, string | string[]>;

export class ResponseHead {
  status = 0;
  statusText = '';
  /** 'HTTP/1.1', 'HTTP/2', ... as on the status line */
  protocol = '';
  /** name, value, name, value ... of the last response, names as sent */
  rawHeaders: string[] = [];
  rawTrailers: string[] = [];
  /** the last header block ended (its blank line came) */
  complete = false;
  #bodyStarted = false;

  /** The body began: header lines from now on are trailers. */
  bodyStarted(): void {
    this.#bodyStarted = true;
  }

  /** One HEADERFUNCTION line (with its CRLF). Returns true at the blank line ending a block. */
  line(buf: Buffer): boolean {
    // byte checks first: most lines are "Name: value", decoded once, without regular expressions
    let end = buf.length;
    if (end > 0 && buf[end - 1] === LF) {
      end--;
      if (end > 0 && buf[end - 1] === CR) end--;
    }
    if (end === 0) {
      if (!this.#bodyStarted) this.complete = true;
      return !this.#bodyStarted;
    }
    if (!this.#bodyStarted && buf[0] === H && buf[4] === SLASH) {
      const text = latin1(buf, 0, end);
      const m = /^(HTTP\/\S+) (\d{3})(?: (.*))?$/.exec(text);
      if (m) {
        this.protocol = m[1]!;
        this.status = Number(m[2]);
        this.statusText = m[3] ?? '';
        this.rawHeaders = [];
        this.complete = false;
        return false;
      }
    }
    const list = this.#bodyStarted ? this.rawTrailers : this.rawHeaders;
    if ((buf[0] === SP || buf[0] === HTAB) && list.length >= 2) {
      // obs-fold: continues the previous header's value
      list[list.length - 1] += ' ' + latin1(buf, 0, end).trim();
      return false;
    }
    const colon = buf.indexOf(COLON);
    if (colon <= 0 || colon >= end) return false;
    list.push(latin1(buf, 0, colon), latin1(buf, colon + 1, end).trim());
    return false;
  }
}

/** Buffer's own latin1 decoder (what toString('latin1', ...) ends in, without its argument checks). */
const latin1 = (buf: Buffer, start: number, end: number): string => (buf as Buffer & { latin1Slice(s: number, e: number): string }).latin1Slice(start, end);

const CR = 13;
const LF = 10;
const SP = 32;
const HTAB = 9;
const COLON = 58;
const H = 72;
const SLASH = 47;

/** Flat name/value pairs → lower-case names, repeated headers as arrays (node:http's and undici's shape). */
export function headerRecord(raw: readonly string[]): HeaderRecord {
  const out: HeaderRecord = Object.create(null) as HeaderRecord;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return out;
}
