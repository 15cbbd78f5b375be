// The HTTP/1 CONNECT exchange with a proxy (libcurl's cf-h1-proxy), sans I/O.
//
// Theory of operation. connectRequest() assembles the request head the way
// libcurl does: "CONNECT host:port HTTP/1.1" (1.0 for CURLPROXY_HTTP_1_0),
// Host (unless a custom one is given), Proxy-Authorization, User-Agent,
// Proxy-Connection: Keep-Alive, then the custom proxy headers. A
// ConnectResponse is fed the proxy's reply bytes and reads them line by line
// as libcurl's recv_CONNECT_resp() does, not with the HTTP/1 response parser:
// the first line is the status line whatever it holds (a code only if it
// reads "HTTP/1.x NNN"; else 0), there is no HTTP/0.9 notion, and a later
// line without a colon is handed on as 'bad-header' (the header store's
// "Invalid response header", unless the headers are suppressed). It yields
// each line (for the header callback), verbose info, and at last 'complete'
// with the status code. A 2xx ends the exchange at its blank line: what follows
// belongs to the tunnel (leftover) and Content-Length / Transfer-Encoding are
// ignored, as libcurl does. A 407 that the proxy authentication can still
// answer has its body read and dropped ("Ignore N bytes of response-body",
// "Ignore chunked response-body" ... "chunk reading DONE") so that a retry
// with credentials can go on the same connection; a reply without a length
// ends at its headers and the connection must close, and so does any other
// refusal (libcurl 7.88 reads no more of it). What a header means is said
// after the header (libcurl traces each line before it looks at it).
import { CURLE } from '../codes.js';
import { ByteQueue, LINE_TOO_LONG } from '../http1/byte-queue.js';
import { ChunkedDecoder } from '../http1/chunked-decoder.js';
import { MAX_HTTP_RESP_HEADER_SIZE } from '../http1/response-events.js';
import { nameIs, tokenList, trimOws } from '../http1/header-fields.js';
import { headBytes, headLinesProblem } from '../http1/request-writer.js';
import { toBytes } from '../url/url-bytes.js';

export interface ConnectRequestInput {
  /** the origin, without brackets (an international name in its ASCII form) */
  host: string;
  ipv6: boolean;
  port: number;
  /** CURLPROXY_HTTP_1_0: the CONNECT says HTTP/1.0 */
  http10: boolean;
  /** "Proxy-Authorization: ..." lines (byte strings) */
  authLines: readonly string[];
  /** CURLOPT_USERAGENT (text) */
  userAgent: string | null;
  /** the custom headers meant for the proxy (PROXYHEADER, or HTTPHEADER with CURLHEADER_UNIFIED), as text */
  custom: readonly { name: string; line: string | null }[];
}

/** "host:port" as the CONNECT line and its Host header carry it. */
export const connectAuthority = (host: string, ipv6: boolean, port: number): string =>
  `${ipv6 ? `[${host}]` : host}:${port}`;

/**
 * The CONNECT request's bytes; or, when a header would carry CR, LF or NUL
 * onto the wire, CURLE_BAD_FUNCTION_ARGUMENT and nothing to send. Text goes
 * in as its UTF-8 bytes, as in the request to the server.
 */
export function connectRequest(i: ConnectRequestInput): { head: Buffer } | { code: number; message: string } {
  const authority = connectAuthority(i.host, i.ipv6, i.port);
  const has = (n: string): boolean => i.custom.some((h) => h.name.toLowerCase() === n);
  const lines = [`CONNECT ${authority} HTTP/${i.http10 ? '1.0' : '1.1'}`];
  if (!has('host')) lines.push(`Host: ${authority}`);
  lines.push(...i.authLines);
  if (!has('user-agent') && i.userAgent) lines.push(`User-Agent: ${toBytes(i.userAgent)}`);
  if (!has('proxy-connection')) lines.push('Proxy-Connection: Keep-Alive');
  for (const h of i.custom) if (h.line !== null) lines.push(toBytes(h.line));
  const problem = headLinesProblem(lines);
  if (problem !== null) return { code: CURLE.BAD_FUNCTION_ARGUMENT, message: problem };
  return { head: headBytes(lines) };
}

export type ConnectEvent =
  | { type: 'status'; code: number; raw: Buffer }
  | { type: 'header'; name: string; value: string; raw: Buffer }
  /** a line after the first one without a colon: libcurl's header store refuses it (unless the headers are suppressed) */
  | { type: 'bad-header'; raw: Buffer }
  | { type: 'headers-end'; raw: Buffer }
  | { type: 'info'; text: string }
  | { type: 'need-data' }
  /** the exchange is over; `close`: the proxy connection cannot carry another CONNECT */
  | { type: 'complete'; code: number; close: boolean; leftover: Buffer }
  | { type: 'error'; code: number; message: string };

/** libcurl's DYN_PROXY_CONNECT_HEADERS: one line of the answer may not reach 16 KiB. */
const MAX_CONNECT_LINE = 16384;
/** sscanf(line, "HTTP/1.%d %d"): whatever line holds it gives the code (a status line or not). */
const STATUS_LINE = /^HTTP\/1\.\s*([+-]?\d+)\s*([+-]?\d+)/;

type Phase = 'head' | 'length' | 'chunked' | 'done';

export class ConnectResponse {
  readonly #q = new ByteQueue();
  /** at the end of a 407's head: is there an authentication problem (libcurl's authproblem: the body is not read then)? */
  readonly #authProblem: () => boolean;
  /** events produced by one line beyond the one returned */
  readonly #queue: ConnectEvent[] = [];
  #phase: Phase = 'head';
  #lines = 0;
  #headBytes = 0;
  #code = 0;
  #http10 = false;
  #keepAlive = false;
  #close = false;
  #length = -1;
  #chunked = false;
  #chunks: ChunkedDecoder | null = null;

  constructor(authProblem: () => boolean = () => false) {
    this.#authProblem = authProblem;
  }

  feed(data: Buffer): void {
    this.#q.push(data);
  }
  /** Nothing to do: at the end of the input, a 'need-data' means the proxy closed mid-answer ("Proxy CONNECT aborted"). */
  eof(): void {}

  get statusCode(): number {
    return this.#code;
  }

  get #tunnelOk(): boolean {
    return this.#code >= 200 && this.#code < 300;
  }

  next(): ConnectEvent {
    // bounded: each pass returns, or consumes a line or body bytes
    for (;;) {
      const queued = this.#queue.shift();
      if (queued) return queued;
      switch (this.#phase) {
        case 'done':
          return { type: 'need-data' };
        case 'head': {
          const line = this.#q.readLine(MAX_CONNECT_LINE);
          if (line === LINE_TOO_LONG) return this.#fail('CONNECT response too large');
          if (line === null) return { type: 'need-data' };
          // curl 8 refuses a NUL in any response header, the CONNECT's too (curl case 2107)
          if (line.includes(0)) return this.#fail('Nul byte in header', CURLE.WEIRD_SERVER_REPLY);
          this.#headBytes += line.length;
          // libcurl 7.88 had no bound on the whole head; curl 8's one for any response keeps a flood of lines out
          if (this.#headBytes > MAX_HTTP_RESP_HEADER_SIZE) {
            return this.#fail(`Too large response headers: ${this.#headBytes} > ${MAX_HTTP_RESP_HEADER_SIZE}`);
          }
          this.#line(Buffer.from(line));
          break;
        }
        case 'length': {
          if (this.#length === 0) {
            this.#complete(this.#closes, Buffer.alloc(0));
            break;
          }
          const got = this.#q.take(this.#length);
          if (got.length === 0) return { type: 'need-data' };
          this.#length -= got.length;
          break;
        }
        case 'chunked': {
          const ev = this.#chunks!.step(this.#q);
          if (ev.type === 'need-data') return ev;
          if (ev.type === 'error') return this.#fail(ev.message);
          if (ev.type === 'end') {
            this.#queue.push({ type: 'info', text: 'chunk reading DONE' });
            this.#complete(this.#closes, Buffer.alloc(0));
          }
          break; // data and trailers of a refusal are for no one
        }
      }
    }
  }

  /** Does the proxy close after this answer (Connection: close, or HTTP/1.0 without keep-alive)? */
  get #closes(): boolean {
    return this.#close || (this.#http10 && !this.#keepAlive);
  }

  /**
   * One line of the head, as libcurl 7.88's recv_CONNECT_resp() reads it: the
   * first is the status line whatever it holds, a line starting with CR or LF
   * ends the head, and every other one is a header; no HTTP/0.9 notion.
   */
  #line(raw: Buffer): void {
    const first = this.#lines++ === 0;
    if (raw[0] === 0x0d || raw[0] === 0x0a) {
      this.#queue.push({ type: 'headers-end', raw });
      this.#endOfHead();
      return;
    }
    const text = raw.toString('latin1');
    const status = STATUS_LINE.exec(text);
    if (status) {
      this.#code = Number(status[2]);
      this.#http10 = Number(status[1]) === 0;
    }
    if (first) {
      this.#queue.push({ type: 'status', code: this.#code, raw });
      return;
    }
    const colon = text.indexOf(':');
    if (colon < 0) {
      this.#queue.push({ type: 'bad-header', raw });
      return;
    }
    const name = text.slice(0, colon);
    const value = trimOws(text.slice(colon + 1).replace(/\r?\n$/, ''));
    // 7.88 says what a header means after it traced it and gave it to the header callback
    this.#queue.push({ type: 'header', name, value, raw });
    const cl = nameIs(name, 'content-length');
    const te = nameIs(name, 'transfer-encoding');
    const tokens = tokenList(value);
    if (nameIs(name, 'connection') || nameIs(name, 'proxy-connection')) {
      if (tokens.includes('close')) this.#close = true;
      if (tokens.includes('keep-alive')) this.#keepAlive = true;
    }
    if (this.#tunnelOk && (cl || te)) {
      this.#queue.push({ type: 'info', text: `Ignoring ${cl ? 'Content-Length' : 'Transfer-Encoding'} in CONNECT ${this.#code} response` });
    } else if (cl) {
      // curlx_strtoofft: the leading digits, 0 without any
      this.#length = Number(/^\d*/.exec(value)![0] || '0');
    } else if (te && tokens.includes('chunked')) {
      this.#queue.push({ type: 'info', text: 'CONNECT responded chunked' });
      this.#chunked = true;
    }
  }

  #endOfHead(): void {
    if (this.#tunnelOk) return this.#complete(false, this.#q.takeAll());
    // 7.88 reads the body of a 407 it can answer only: any other refusal ends the tunnel (and its connection) here
    if (this.#code !== 407 || this.#authProblem()) return this.#complete(true, Buffer.alloc(0));
    // chunked wins over a Content-Length beside it, as in any HTTP/1.1 answer (curl case 1715)
    if (this.#chunked) {
      this.#queue.push({ type: 'info', text: 'Ignore chunked response-body' });
      this.#chunks = new ChunkedDecoder();
      this.#phase = 'chunked';
    } else if (this.#length > 0) {
      this.#queue.push({ type: 'info', text: `Ignore ${this.#length} bytes of response-body` });
      this.#phase = 'length';
    } else if (this.#length === 0) {
      this.#phase = 'length';
    } else {
      this.#complete(true, Buffer.alloc(0)); // the body runs until close: nothing to wait for
    }
  }

  /** A broken line or body: libcurl's receive error unless said otherwise. */
  #fail(message: string, code: number = CURLE.RECV_ERROR): ConnectEvent {
    this.#phase = 'done';
    return { type: 'error', code, message };
  }

  #complete(close: boolean, leftover: Buffer): void {
    this.#phase = 'done';
    this.#queue.push({ type: 'complete', code: this.#code, close: close || this.#close, leftover });
  }
}
