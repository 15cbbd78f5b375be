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
    const text = buf.toString('latin1').replace(/\r?\n$/, '');
    if (text === '') {
      if (!this.#bodyStarted) this.complete = true;
      return !this.#bodyStarted;
    }
    if (!this.#bodyStarted && /^HTTP\/\S+ \d{3}/.test(text)) {
      const m = /^(HTTP\/\S+) (\d{3})(?: (.*))?$/.exec(text)!;
      this.protocol = m[1]!;
      this.status = Number(m[2]);
      this.statusText = m[3] ?? '';
      this.rawHeaders = [];
      this.complete = false;
      return false;
    }
    const list = this.#bodyStarted ? this.rawTrailers : this.rawHeaders;
    if ((text[0] === ' ' || text[0] === '\t') && list.length >= 2) {
      // obs-fold: continues the previous header's value
      list[list.length - 1] += ' ' + text.trim();
      return false;
    }
    const colon = text.indexOf(':');
    if (colon <= 0) return false;
    list.push(text.slice(0, colon), text.slice(colon + 1).trim());
    return false;
  }
}

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
