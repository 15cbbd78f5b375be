// What an RTSP server sends, sans I/O: responses ("RTSP/1.0 NNN reason",
// header lines, a body of Content-Length bytes, none without it as RFC 2326
// 12.14 says) and, between them, interleaved RTP packets ('$', channel,
// 16-bit length, payload; RFC 2326 10.12), as libcurl's rtsp.c and http.c
// read them. Lines are read with the HTTP/1 codec's ByteQueue (bounded line
// length, zero-copy slices); the HTTP ResponseParser itself is not used: its
// status line, body framing and HTTP/0.9 rules are HTTP's, and RTP packets
// sit between RTSP responses, outside any HTTP message.
import { CURLE } from '../codes.js';
import { ByteQueue, LINE_TOO_LONG } from '../http1/byte-queue.js';
import { lineText } from '../http1/status-line.js';
import { trimOws } from '../http1/header-fields.js';
import { CURL_MAX_HTTP_HEADER, MAX_HTTP_RESP_HEADER_SIZE } from '../http1/response-events.js';

export type RtspEvent =
  /** a whole interleaved packet, its 4-byte header included (what INTERLEAVEFUNCTION gets) */
  | { kind: 'rtp'; channel: number; packet: Buffer }
  | { kind: 'status'; code: number; raw: Buffer }
  | { kind: 'header'; name: string; value: string; raw: Buffer }
  | { kind: 'headers-end'; raw: Buffer; contentLength: number }
  | { kind: 'body'; data: Buffer }
  | { kind: 'end' }
  | { kind: 'need' }
  | { kind: 'error'; code: number; message: string };

type State = 'between' | 'rtp' | 'headers' | 'body' | 'done' | 'error';

const NEED: RtspEvent = { kind: 'need' };

export class RtspResponseReader {
  readonly #q = new ByteQueue();
  #state: State = 'between';
  #eof = false;
  #headerBytes = 0;
  #contentLength = 0;
  #left = 0;
  #error: RtspEvent | null = null;
  /** the 4-byte header of an interleaved packet whose payload is still coming */
  #rtpHead: Buffer | null = null;

  feed(b: Buffer): void {
    if (b.length > 0) this.#q.push(b);
  }

  eof(): void {
    this.#eof = true;
  }

  /** Copy what is held: the transport's memory is reused after the run. */
  retain(): void {
    this.#q.own();
  }

  /** After 'end': the bytes that came after the response (RTP for the next request). */
  takeLeftover(): Buffer {
    return this.#q.takeAll();
  }

  get inResponse(): boolean {
    return this.#state === 'headers' || this.#state === 'body';
  }

  #fail(code: number, message: string): RtspEvent {
    this.#state = 'error';
    return (this.#error = { kind: 'error', code, message });
  }

  /** The next event. */
  next(): RtspEvent {
    switch (this.#state) {
      case 'error':
        return this.#error!;
      case 'done':
        return { kind: 'end' };
      case 'between':
        return this.#between();
      case 'rtp': {
        const head = this.#rtpHead!;
        const len = (head[2]! << 8) | head[3]!;
        if (this.#q.length < len) return NEED;
        this.#state = 'between';
        this.#rtpHead = null;
        return { kind: 'rtp', channel: head[1]!, packet: Buffer.concat([head, this.#takeExactly(len)]) };
      }
      case 'headers':
        return this.#header();
      case 'body': {
        if (this.#left === 0) {
          this.#state = 'done';
          return { kind: 'end' };
        }
        const data = this.#q.take(this.#left);
        if (data.length === 0) {
          if (this.#eof) return this.#fail(CURLE.PARTIAL_FILE, `transfer closed with ${this.#left} bytes remaining to read`);
          return NEED;
        }
        this.#left -= data.length;
        return { kind: 'body', data };
      }
    }
  }

  /** Before a response: an interleaved packet, or a status line. */
  #between(): RtspEvent {
    const q = this.#q;
    const first = q.peekByte();
    if (first === -1) return NEED;
    if (first === 0x24) {
      // '$' channel length(2), then the payload: the packet goes out whole
      if (q.length < 4) return NEED;
      this.#rtpHead = Buffer.from(this.#takeExactly(4));
      this.#state = 'rtp';
      return this.next();
    }
    const line = q.readLine(CURL_MAX_HTTP_HEADER);
    if (line === LINE_TOO_LONG) return this.#fail(CURLE.TOO_LARGE, `Too large response header line (max is ${CURL_MAX_HTTP_HEADER - 1} bytes)`);
    if (line === null) return NEED;
    const text = lineText(line);
    // libcurl's " RTSP/%1d.%1d%c%3d": any RTSP/x.y, then a 3-digit code
    const m = /^\s*RTSP\/\d\.\d.(\d{3})/.exec(text);
    // what libcurl's HTTP code then makes of a reply that is not RTSP/x.y
    if (!m) return this.#fail(CURLE.UNSUPPORTED_PROTOCOL, 'Received HTTP/0.9 when not allowed');
    this.#headerBytes = line.length;
    this.#contentLength = 0;
    this.#state = 'headers';
    return { kind: 'status', code: Number(m[1]), raw: line };
  }

  #header(): RtspEvent {
    const line = this.#q.readLine(CURL_MAX_HTTP_HEADER);
    if (line === LINE_TOO_LONG) return this.#fail(CURLE.TOO_LARGE, `Too large response header line (max is ${CURL_MAX_HTTP_HEADER - 1} bytes)`);
    if (line === null) {
      if (this.#eof) return this.#fail(CURLE.PARTIAL_FILE, 'transfer closed with outstanding read data remaining');
      return NEED;
    }
    this.#headerBytes += line.length;
    if (this.#headerBytes > MAX_HTTP_RESP_HEADER_SIZE) {
      return this.#fail(CURLE.RECV_ERROR, `Too large response headers: ${this.#headerBytes} > ${MAX_HTTP_RESP_HEADER_SIZE}`);
    }
    const text = lineText(line);
    if (text === '') {
      this.#state = 'body';
      this.#left = this.#contentLength;
      return { kind: 'headers-end', raw: line, contentLength: this.#contentLength };
    }
    if (line.includes(0)) return this.#fail(CURLE.WEIRD_SERVER_REPLY, 'Nul byte in header');
    const colon = text.indexOf(':');
    if (colon <= 0) return this.#fail(CURLE.WEIRD_SERVER_REPLY, 'Header without colon');
    const name = text.slice(0, colon);
    const value = trimOws(text.slice(colon + 1));
    if (name.toLowerCase() === 'content-length') {
      if (!/^\d{1,15}$/.test(value)) return this.#fail(CURLE.WEIRD_SERVER_REPLY, `Invalid Content-Length: value`);
      this.#contentLength = Number(value);
    }
    return { kind: 'header', name, value, raw: line };
  }

  #takeExactly(n: number): Buffer {
    const parts: Buffer[] = [];
    let need = n;
    // bounded: each take() removes at least one byte while need > 0 and bytes are there
    while (need > 0) {
      const piece = this.#q.take(need);
      if (piece.length === 0) break;
      parts.push(piece);
      need -= piece.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
}
