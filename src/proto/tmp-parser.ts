// TEMPORARY minimal response parser so the engine can be exercised before the
// sans-I/O parser in src/http1 lands. Same API; to be deleted.
import { CURLE } from '../codes.js';

export type ParseEvent =
  | { type: 'status'; version: number; code: number; reason: string; raw: Buffer }
  | { type: 'header'; name: string; value: string; raw: Buffer }
  | { type: 'headers-end'; interim: boolean; raw: Buffer }
  | { type: 'data'; data: Buffer }
  | { type: 'trailer'; name: string; value: string; raw: Buffer }
  | { type: 'end' }
  | { type: 'need-data' }
  | { type: 'error'; code: number; message: string };

export class ResponseParser {
  #buf: Buffer = Buffer.alloc(0);
  #state: 'status' | 'headers' | 'body-len' | 'body-close' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailers' | 'done' | 'error' = 'status';
  #eof = false;
  #remaining = 0;
  #method: string;
  #cl = -1;
  #chunked = false;
  #close = false;
  #any = false;
  statusCode = 0;
  httpVersion = 11;
  constructor(o: { method: string; http09Allowed?: boolean }) {
    this.#method = o.method;
  }
  get keepAlive(): boolean {
    return !this.#close && this.httpVersion === 11 && this.#state === 'done';
  }
  feed(b: Buffer): void {
    this.#any = true;
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, b]) : b;
  }
  eof(): void {
    this.#eof = true;
  }
  #line(): Buffer | null {
    const i = this.#buf.indexOf(10);
    if (i < 0) return null;
    const l = this.#buf.subarray(0, i + 1);
    this.#buf = this.#buf.subarray(i + 1);
    return l;
  }
  next(): ParseEvent {
    switch (this.#state) {
      case 'status': {
        const l = this.#line();
        if (!l) return this.#eof ? this.#err(this.#any ? CURLE.PARTIAL_FILE : CURLE.GOT_NOTHING, this.#any ? 'partial' : 'Empty reply from server') : { type: 'need-data' };
        const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?\r?\n$/.exec(l.toString('latin1'));
        if (!m) return this.#err(CURLE.WEIRD_SERVER_REPLY, 'Received HTTP/0.9 when not allowed');
        this.httpVersion = m[1] === '1' ? 11 : 10;
        this.statusCode = Number(m[2]);
        this.#state = 'headers';
        return { type: 'status', version: this.httpVersion, code: this.statusCode, reason: m[3] ?? '', raw: l };
      }
      case 'headers': {
        const l = this.#line();
        if (!l) return this.#eof ? this.#err(CURLE.PARTIAL_FILE, 'partial headers') : { type: 'need-data' };
        const s = l.toString('latin1').replace(/\r?\n$/, '');
        if (s === '') {
          const interim = this.statusCode >= 100 && this.statusCode < 200 && this.statusCode !== 101;
          if (interim) this.#state = 'status';
          else if (this.#method === 'HEAD' || this.statusCode === 204 || this.statusCode === 304) this.#state = 'done';
          else if (this.#chunked) this.#state = 'chunk-size';
          else if (this.#cl >= 0) { this.#remaining = this.#cl; this.#state = this.#cl ? 'body-len' : 'done'; }
          else { this.#state = 'body-close'; this.#close = true; }
          return { type: 'headers-end', interim, raw: l };
        }
        const c = s.indexOf(':');
        const name = s.slice(0, c), value = s.slice(c + 1).trim();
        const ln = name.toLowerCase();
        if (ln === 'content-length') this.#cl = Number(value);
        if (ln === 'transfer-encoding' && /chunked/i.test(value)) this.#chunked = true;
        if (ln === 'connection' && /close/i.test(value)) this.#close = true;
        return { type: 'header', name, value, raw: l };
      }
      case 'body-len': {
        if (this.#buf.length === 0) return this.#eof ? this.#err(CURLE.PARTIAL_FILE, `transfer closed with ${this.#remaining} bytes remaining to read`) : { type: 'need-data' };
        const d = this.#buf.subarray(0, this.#remaining);
        this.#buf = this.#buf.subarray(d.length);
        this.#remaining -= d.length;
        if (this.#remaining === 0) this.#state = 'done';
        return { type: 'data', data: d };
      }
      case 'body-close': {
        if (this.#buf.length === 0) { if (this.#eof) { this.#state = 'done'; return { type: 'end' }; } return { type: 'need-data' }; }
        const d = this.#buf; this.#buf = Buffer.alloc(0);
        return { type: 'data', data: d };
      }
      case 'chunk-size': {
        const l = this.#line();
        if (!l) return this.#eof ? this.#err(CURLE.PARTIAL_FILE, 'transfer closed with outstanding read data remaining') : { type: 'need-data' };
        const n = parseInt(l.toString('latin1'), 16);
        if (Number.isNaN(n)) return this.#err(CURLE.RECV_ERROR, 'bad chunk');
        if (n === 0) { this.#state = 'trailers'; return this.next(); }
        this.#remaining = n; this.#state = 'chunk-data';
        return this.next();
      }
      case 'chunk-data': {
        if (this.#buf.length === 0) return this.#eof ? this.#err(CURLE.PARTIAL_FILE, 'transfer closed with outstanding read data remaining') : { type: 'need-data' };
        const d = this.#buf.subarray(0, this.#remaining);
        this.#buf = this.#buf.subarray(d.length);
        this.#remaining -= d.length;
        if (this.#remaining === 0) this.#state = 'chunk-crlf';
        return { type: 'data', data: d };
      }
      case 'chunk-crlf': {
        const l = this.#line();
        if (!l) return this.#eof ? this.#err(CURLE.PARTIAL_FILE, 'transfer closed with outstanding read data remaining') : { type: 'need-data' };
        this.#state = 'chunk-size';
        return this.next();
      }
      case 'trailers': {
        const l = this.#line();
        if (!l) return this.#eof ? this.#err(CURLE.PARTIAL_FILE, 'partial') : { type: 'need-data' };
        if (l.toString('latin1').trim() === '') { this.#state = 'done'; return { type: 'end' }; }
        return this.next();
      }
      case 'done':
        return { type: 'end' };
      case 'error':
        return { type: 'error', code: CURLE.RECV_ERROR, message: 'parser in error' };
    }
  }
  #err(code: number, message: string): ParseEvent {
    this.#state = 'error';
    return { type: 'error', code, message };
  }
}
