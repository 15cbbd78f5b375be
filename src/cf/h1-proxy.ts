// The HTTP/1 CONNECT exchange with a proxy (libcurl's cf-h1-proxy), sans I/O.
//
// Theory of operation. connectRequest() assembles the request head the way
// libcurl does: "CONNECT host:port HTTP/1.1" (1.0 for CURLPROXY_HTTP_1_0),
// Host (unless a custom one is given), Proxy-Authorization, User-Agent,
// Proxy-Connection: Keep-Alive, then the custom proxy headers. A
// ConnectResponse is fed the proxy's reply bytes and yields events through
// the shared HTTP/1 parser (src/http1/response-parser.ts): each header line
// (for the header callback), verbose info, and at last 'complete' with the
// status code. A 2xx ends the exchange at its blank line: what follows
// belongs to the tunnel (leftover) and Content-Length / Transfer-Encoding are
// ignored, as libcurl does. A 407 that the proxy authentication can still
// answer has its body read and dropped ("Ignore N bytes of response-body",
// "Ignore chunked response-body" ... "chunk reading DONE") so that a retry
// with credentials can go on the same connection; a reply without a length
// ends at its headers and the connection must close, and so does any other
// refusal (libcurl 7.88 reads no more of it). What a header means is said
// after the header (libcurl traces each line before it looks at it).
import { CURLE } from '../codes.js';
import { ResponseParser } from '../http1/response-parser.js';
import { nameIs, tokenList } from '../http1/header-fields.js';
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
  | { type: 'headers-end'; raw: Buffer }
  | { type: 'info'; text: string }
  | { type: 'need-data' }
  /** the exchange is over; `close`: the proxy connection cannot carry another CONNECT */
  | { type: 'complete'; code: number; close: boolean; leftover: Buffer }
  | { type: 'error'; code: number; message: string };

export class ConnectResponse {
  readonly #parser = new ResponseParser({ method: 'CONNECT' });
  /** at the end of a 407's head: is there an authentication problem (libcurl's authproblem: the body is not read then)? */
  readonly #authProblem: () => boolean;
  /** events produced by one parser event beyond the one returned */
  readonly #queue: ConnectEvent[] = [];
  #code = 0;
  #close = false;
  #inBody = false;
  #done = false;

  constructor(authProblem: () => boolean = () => false) {
    this.#authProblem = authProblem;
  }

  feed(data: Buffer): void {
    this.#parser.feed(data);
  }
  eof(): void {
    this.#parser.eof();
  }

  get statusCode(): number {
    return this.#code;
  }

  get #tunnelOk(): boolean {
    return this.#code >= 200 && this.#code < 300;
  }

  next(): ConnectEvent {
    // bounded: each pass returns or consumes one parser event
    for (;;) {
      const queued = this.#queue.shift();
      if (queued) return queued;
      if (this.#done) return { type: 'need-data' };
      const ev = this.#parser.next();
      switch (ev.type) {
        case 'need-data':
          return ev;
        case 'status':
          this.#code = ev.code;
          return { type: 'status', code: ev.code, raw: ev.raw };
        case 'header': {
          const cl = nameIs(ev.name, 'content-length');
          const te = nameIs(ev.name, 'transfer-encoding');
          if ((nameIs(ev.name, 'connection') || nameIs(ev.name, 'proxy-connection')) && tokenList(ev.value).includes('close')) {
            this.#close = true;
          }
          // 7.88 says what a header means after it traced it and gave it to the header callback
          this.#queue.push({ type: 'header', name: ev.name, value: ev.value, raw: ev.raw });
          if (this.#tunnelOk && (cl || te)) {
            this.#queue.push({ type: 'info', text: `Ignoring ${cl ? 'Content-Length' : 'Transfer-Encoding'} in CONNECT ${this.#code} response` });
          } else if (te && tokenList(ev.value).includes('chunked')) {
            this.#queue.push({ type: 'info', text: 'CONNECT responded chunked' });
          }
          break;
        }
        case 'headers-end': {
          this.#queue.push({ type: 'headers-end', raw: ev.raw });
          if (ev.interim) break;
          const f = this.#parser.framing;
          if (this.#tunnelOk) this.#complete(false, this.#parser.takeLeftover());
          else if (this.#code !== 407 || this.#authProblem()) {
            // 7.88 reads the body of a 407 it can answer only: any other refusal ends the tunnel (and its connection) here
            this.#complete(true, Buffer.alloc(0));
          } else if (f.kind === 'close') this.#complete(true, Buffer.alloc(0)); // the body runs until close: nothing to wait for
          else {
            if (f.kind === 'length') this.#queue.push({ type: 'info', text: `Ignore ${f.length} bytes of response-body` });
            if (f.kind === 'chunked') this.#queue.push({ type: 'info', text: 'Ignore chunked response-body' });
            this.#inBody = true;
          }
          break;
        }
        case 'data':
        case 'trailer':
          break; // the body of a refusal is for no one
        case 'end':
          if (this.#done) break;
          if (this.#inBody && this.#parser.framing.kind === 'chunked') this.#queue.push({ type: 'info', text: 'chunk reading DONE' });
          this.#complete(!this.#parser.keepAlive, Buffer.alloc(0));
          break;
        case 'error':
          this.#done = true;
          // a broken body of a refusal is a receive error; a broken head keeps the parser's code
          return { type: 'error', code: this.#inBody ? CURLE.RECV_ERROR : ev.code, message: ev.message };
      }
    }
  }

  #complete(close: boolean, leftover: Buffer): void {
    this.#done = true;
    this.#queue.push({ type: 'complete', code: this.#code, close: close || this.#close, leftover });
  }
}
