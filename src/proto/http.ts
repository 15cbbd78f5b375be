// The HTTP/1.x protocol handler: one request/response exchange on a connection.
//
// Theory of operation: start() assembles the request head (and body, for
// POSTFIELDS) into an output queue. step() is called whenever the transfer
// runs in PERFORMING: it first flushes the output queue (stopping when the
// socket needs 'drain'), then reads what is buffered — a bounded number of
// reads per call, for fairness between transfers — and feeds the sans-I/O
// ResponseParser, turning its events into header/body deliveries to the client
// writers. Sending and receiving are independent, as in hyper: a server may
// answer before the upload is done. The exchange never blocks and never awaits.
import { CURLE, easyStrerror, type CURLcode } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { CURL_POLL, CURLINFO_TYPE } from '../constants.js';
import { ResponseParser } from '../http1/response-parser.js';
import type { Connection } from '../conn/connection.js';
import type { Transfer } from '../multi/transfer.js';
import { buildRequest } from './http-request.js';
import { cookieFromResponse } from '../cookies/easy-cookies.js';
import { resolveLocationHref } from './redirect.js';
import { authOnChallenge, authOnHeadersEnd } from '../auth/transfer-auth.js';
import { rangeNotSatisfiableOk, responseHeader, responseHeadersEnd, responseStatus, type HookResult } from './http-response.js';

/** Where the exchange hands what it receives (the client writer stack). */
export interface ExchangeSink {
  /** A complete header line (status line, header, blank line, trailer). */
  header(t: Transfer, line: Buffer): CURLcode;
  /** Body bytes; returns CURLE_OK, an error, or PAUSED when the application paused. */
  body(t: Transfer, data: Buffer): CURLcode | typeof PAUSED;
  trace(t: Transfer, type: number, data: Buffer | string): void;
}
export const PAUSED = -2;

/** Reads per step() before yielding to other transfers (libcurl's maxloops). */
const MAX_READS_PER_STEP = 16;

export class HttpExchange {
  readonly #t: Transfer;
  readonly #conn: Connection;
  readonly #sink: ExchangeSink;
  #out: Buffer[] = [];
  /** bytes of the request head still queued: they are not upload progress */
  #headBytesLeft = 0;
  #parser: ResponseParser;
  #done = false;
  #gotBytes = false;
  #bodyStarted = false;
  /** a redirect we follow: its body is read (to keep the connection) but not delivered */
  #ignoreBody = false;
  /** the transfer ended before the response did (resume/time condition): the connection cannot be reused */
  #cutShort = false;

  constructor(t: Transfer, conn: Connection, sink: ExchangeSink) {
    this.#t = t;
    this.#conn = conn;
    this.#sink = sink;
    const method = t.opts.num(CURLOPT.NOBODY) ? 'HEAD' : 'GET';
    this.#parser = new ResponseParser({
      method: t.opts.str(CURLOPT.CUSTOMREQUEST) ?? method,
      http09Allowed: t.opts.num(CURLOPT.HTTP09_ALLOWED) !== 0,
      reusedConnection: conn.uses > 1,
      ignoreContentLength: t.opts.num(CURLOPT.IGNORE_CONTENT_LENGTH) !== 0,
      transferDecoding: t.opts.num(CURLOPT.HTTP_TRANSFER_DECODING) !== 0,
    });
  }

  /** Assemble the request; called once in DO. */
  start(): CURLcode {
    const req = buildRequest(this.#t);
    if (req.message) this.#t.fail(req.code, req.message);
    if (req.code !== CURLE.OK) return req.code;
    for (const line of req.info ?? []) this.#sink.trace(this.#t, CURLINFO_TYPE.TEXT, line + '\n');
    this.#t.effectiveMethod = req.method;
    this.#t.requestSize = req.head.length + (req.body?.length ?? 0);
    this.#sink.trace(this.#t, CURLINFO_TYPE.HEADER_OUT, req.head);
    this.#out.push(req.head);
    this.#headBytesLeft = req.head.length;
    if (req.body && req.body.length > 0) {
      this.#out.push(req.body);
      this.#t.uploadLength = req.body.length;
    }
    return CURLE.OK;
  }

  get done(): boolean {
    return this.#done;
  }

  /** What the exchange needs from the socket now. */
  pollWhat(): number {
    if (this.#done) return 0;
    let what = 0;
    if (this.#out.length > 0) what |= CURL_POLL.OUT;
    if (!(this.#t.pauseBits & 1)) what |= CURL_POLL.IN;
    return what;
  }

  /** The connection can carry another request after this exchange. */
  get reusable(): boolean {
    return this.#done && this.#parser.keepAlive && !this.#cutShort;
  }

  step(): CURLcode {
    const transport = this.#conn.transport;
    if (!transport) return CURLE.SEND_ERROR;
    // 1. send what is queued
    while (this.#out.length > 0 && !transport.writeBlocked) {
      const chunk = this.#out.shift()!;
      const r = transport.send(chunk);
      if (!r.ok) {
        this.#t.fail(CURLE.SEND_ERROR, `Failed sending HTTP request: ${r.error.message}`);
        return CURLE.SEND_ERROR;
      }
      const head = Math.min(this.#headBytesLeft, chunk.length);
      this.#headBytesLeft -= head;
      this.#t.sizeUpload += chunk.length - head;
    }
    if (this.#out.length === 0 && this.#t.timing.posttransfer === 0) {
      this.#t.timing.posttransfer = performance.now();
    }
    // 2. receive
    if (this.#t.pauseBits & 1) return CURLE.OK;
    for (let i = 0; i < MAX_READS_PER_STEP && !this.#done; i++) {
      const r = transport.recv();
      if (r.kind === 'again') break;
      if (r.kind === 'data') {
        if (!this.#gotBytes) {
          this.#gotBytes = true;
          this.#t.timing.starttransfer ||= performance.now();
        }
        this.#parser.feed(r.data);
      } else if (r.kind === 'eof') {
        this.#parser.eof();
      } else {
        // a reset: what the parser has is all there is
        const code = this.#parser.statusCode ? CURLE.RECV_ERROR : CURLE.RECV_ERROR;
        this.#t.fail(code, `Recv failure: ${describeNetError(r.error)}`);
        return code;
      }
      const code = this.#drainEvents();
      if (code !== CURLE.OK) return code;
      if (this.#t.pauseBits & 1) break;
      if (r.kind === 'eof' && !this.#done) break;
    }
    return CURLE.OK;
  }

  /**
   * Copy what the parser still holds of received bytes: a transport may hand
   * out views of memory it reuses once control is back in the event loop.
   */
  retainReceived(): void {
    this.#parser.retain();
  }

  /** Re-deliver after unpause: continue draining parser events. */
  resume(): CURLcode {
    return this.#drainEvents();
  }

  #drainEvents(): CURLcode {
    for (;;) {
      const ev = this.#parser.next();
      switch (ev.type) {
        case 'need-data':
          return CURLE.OK;
        case 'status':
          this.#t.responseCode = ev.code;
          this.#t.httpVersion = ev.version;
          this.#t.headerSize += ev.raw.length;
          responseStatus(this.#t);
          this.#sink.trace(this.#t, CURLINFO_TYPE.HEADER_IN, ev.raw);
          {
            const c = this.#sink.header(this.#t, ev.raw);
            if (c !== CURLE.OK) return c;
          }
          break;
        case 'header':
        case 'trailer': {
          this.#t.headerSize += ev.raw.length;
          const name = ev.type === 'header' ? ev.name.toLowerCase() : ''; // once per header, not per check
          if (name === 'content-type') this.#t.contentType = ev.value;
          if (name === 'location' && this.#t.responseCode >= 300 &&
              this.#t.responseCode < 400 && this.#t.redirectUrl === null) {
            this.#onLocation(ev.value);
          }
          if (name === 'www-authenticate') {
            for (const line of authOnChallenge(this.#t, ev.value)) this.#sink.trace(this.#t, CURLINFO_TYPE.TEXT, line + '\n');
          }
          if (name === 'set-cookie') {
            // every response feeds the cookie engine: 1xx, redirects we follow, the final one
            cookieFromResponse(this.#t, ev.value, (text) => this.#sink.trace(this.#t, CURLINFO_TYPE.TEXT, text + '\n'));
          }
          {
            const h = this.#hook(responseHeader(this.#t, ev.name, ev.value, ev.type === 'trailer', name || undefined));
            if (h !== CURLE.OK) return h;
          }
          if (name === 'content-length' && this.#t.contentLength < 0 &&
              !this.#t.opts.num(CURLOPT.IGNORE_CONTENT_LENGTH)) {
            const n = Number(ev.value.trim());
            if (Number.isSafeInteger(n)) this.#t.contentLength = n;
          }
          this.#sink.trace(this.#t, CURLINFO_TYPE.HEADER_IN, ev.raw);
          const c = this.#sink.header(this.#t, ev.raw);
          if (c !== CURLE.OK) return c;
          break;
        }
        case 'headers-end': {
          this.#t.headerSize += ev.raw.length;
          this.#sink.trace(this.#t, CURLINFO_TYPE.HEADER_IN, ev.raw);
          const c = this.#sink.header(this.#t, ev.raw);
          if (c !== CURLE.OK) return c;
          // authentication decides about 401s: a retry with credentials is not an error yet
          const authFail = ev.interim ? false : authOnHeadersEnd(this.#t).fail;
          if (!ev.interim && this.#t.opts.num(CURLOPT.FAILONERROR) && this.#t.responseCode >= 400 &&
              (this.#t.responseCode !== 401 || authFail) && !rangeNotSatisfiableOk(this.#t)) {
            this.#t.fail(CURLE.HTTP_RETURNED_ERROR, `The requested URL returned error: ${this.#t.responseCode}`);
            return CURLE.HTTP_RETURNED_ERROR;
          }
          if (!ev.interim) this.#bodyStarted = true;
          if (!ev.interim && (this.#t.followLocation !== null || this.#t.retryRequest)) {
            this.#ignoreBody = true;
            this.#sink.trace(this.#t, CURLINFO_TYPE.TEXT, 'Ignoring the response-body\n');
          }
          const r = responseHeadersEnd(this.#t, ev.interim, this.#ignoreBody);
          const h = this.#hook(r);
          if (h !== CURLE.OK) return h;
          if (r.ignoreBody) this.#ignoreBody = true;
          if (r.stop) {
            this.#done = true;
            this.#cutShort = true;
            return CURLE.OK;
          }
          break;
        }
        case 'data': {
          this.#sink.trace(this.#t, CURLINFO_TYPE.DATA_IN, ev.data);
          if (this.#ignoreBody) break;
          const c = this.#sink.body(this.#t, ev.data);
          if (c === PAUSED) return CURLE.OK;
          if (c !== CURLE.OK) return c;
          break;
        }
        case 'end':
          this.#done = true;
          return CURLE.OK;
        case 'error':
          this.#t.fail(ev.code, ev.message);
          return ev.code;
      }
    }
  }

  /** Trace a response hook's info lines; fail the transfer with its code. */
  #hook(r: HookResult): CURLcode {
    for (const line of r.info ?? []) this.#sink.trace(this.#t, CURLINFO_TYPE.TEXT, line + '\n');
    if (r.code !== CURLE.OK) this.#t.fail(r.code, r.message ?? easyStrerror(r.code));
    return r.code;
  }

  /** A Location on a 3xx: remember where it points; follow it when asked to. */
  #onLocation(value: string): void {
    const t = this.#t;
    const loc = value.trim();
    if (!loc || !t.url) return;
    t.redirectUrl = resolveLocationHref(t.url, loc);
    if (t.opts.num(CURLOPT.FOLLOWLOCATION) && t.redirectUrl !== null) t.followLocation = loc;
  }

  /** Did any byte of a response arrive? (a reused connection that died before that can be retried) */
  get receivedAnything(): boolean {
    return this.#gotBytes;
  }

  get bodyStarted(): boolean {
    return this.#bodyStarted;
  }
}

function describeNetError(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNRESET') return 'Connection reset by peer';
  return err.message;
}
