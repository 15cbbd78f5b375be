// The HTTP/1.x protocol handler: one request/response exchange on a connection.
//
// Theory of operation: start() assembles the request head and picks the body's
// client reader. step() is called whenever the transfer runs in PERFORMING. It
// first sends: the queued head, then body bytes pulled from the reader while
// the socket takes them (stopping when it needs 'drain', when the application
// paused sending, or while an Expect: 100-continue waits for its answer or
// EXPECT_100_TIMEOUT_MS). Then it reads what is buffered — a bounded number of
// reads per call, for fairness between transfers — and feeds the sans-I/O
// ResponseParser, turning its events into header/body deliveries to the
// client writers. Sending and receiving are independent, as in hyper: a server
// may answer before the upload is done; an error answer stops the upload
// (unless KEEP_SENDING_ON_ERROR) and the connection is then closed. The
// exchange is done when the response is complete and sending has ended. It
// never blocks and never awaits.
import { CURLE, easyStrerror, type CURLcode } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { CURL_POLL, CURLINFO_TYPE, CURLPAUSE } from '../constants.js';
import { UploadEndNote, type ClientReader } from '../cr/client-reader.js';
import { CLIENTWRITE, PAUSED } from '../cw/client-write.js';
import type { ClientWriterStack } from '../cw/writer-stack.js';
import type { CallbackGuard } from '../util/callback-depth.js';
import { traceData, traceEnabled } from '../util/trace.js';
import { BodyTrace } from './http-body-trace.js';
import type { ResponseParser } from '../http1/response-parser.js';
import { addHeaderBytes, describeNetError, onLocation, parserFor, spareParser } from './http-parsers.js';
import type { H2Stream } from '../h2/session.js';
import type { RecvResult, StreamTransport } from '../transport/stream-transport.js';
import { adoptPushedStream, deliverH2Trailers, endH2Request, offerH2Pushes, openH2Stream } from './h2-exchange.js';
import type { TrailerSource } from '../cr/chunked-reader.js';
import { HDR, parseContentLength, plainLength } from '../http1/header-fields.js';
import type { Connection } from '../conn/connection.js';
import type { Transfer } from '../multi/transfer.js';
import { buildRequest, type ExtraRequestLines } from './http-request.js';
import { HTTPREQ } from '../easy/option-store.js';
import { retryAfterSeconds } from './retry-after.js';
import { cookieFromResponse } from './http-cookies.js';
import { authOnChallenge, authOnHeadersEnd, proxyAuthOnChallenge } from './http-auth.js';
import { httpState, customRequest, requestKind, type HttpTransferState } from './http-state.js';
import { closeNote } from './http-close-note.js';
import { exceedsMaxFilesize, rangeNotSatisfiableOk, responseHeader, responseHeadersEnd, responseStatus, type HookResult } from './http-response.js';
import { nowMs } from '../util/clock.js';
import type { ProtocolRequest } from './handler.js';

// the CLIENTWRITE types of received header lines
const STATUS = CLIENTWRITE.HEADER | CLIENTWRITE.STATUS;
const STATUS_1XX = STATUS | CLIENTWRITE['1XX'];
const HEADER_1XX = CLIENTWRITE.HEADER | CLIENTWRITE['1XX'];
const TRAILER = CLIENTWRITE.HEADER | CLIENTWRITE.TRAILER;

/** Reads per step() before yielding to other transfers (libcurl's maxloops). */
const MAX_READS_PER_STEP = 16;
/** Body reads per step() before yielding: a fast reader must not starve the others. */
const MAX_SENDS_PER_STEP = 16;
/** libcurl keeps sending a body it will re-send anyway when less than this remains (http_perhapsrewind). */
const LITTLE_UPLOAD_REMAINS = 2000;

/** Where an exchange reads and writes: the connection's socket, or its HTTP/2 stream. */
type Wire = Pick<StreamTransport, 'recv' | 'unrecv' | 'send' | 'writeBlocked'>;

/** Where the body upload is: waiting for 100 Continue, sending, all sent, or given up early. */
type SendState = 'expect' | 'body' | 'done' | 'stopped';

export class HttpExchange implements ProtocolRequest {
  readonly #t: Transfer;
  /** the transfer's HTTP state (looked up once per exchange) */
  readonly #h: HttpTransferState;
  readonly #conn: Connection;
  /** runs the application callbacks the exchange calls itself (read callback, trace) */
  readonly #guard: CallbackGuard;
  /** where the response goes: the transfer's client writers */
  readonly #writers: ClientWriterStack;
  #out: Buffer[] = [];
  /** bytes of the request head still queued: they are not upload progress */
  #headBytesLeft = 0;
  #parser: ResponseParser;
  /** the response ended and #parser went back to the spared parsers: never touch it again */
  #parserSpared = false;
  /** #parser.keepAlive when it was spared */
  #keepAlive = false;
  /** the response is complete */
  #done = false;
  #reader: ClientReader | null = null;
  #send: SendState = 'done';
  /** body bytes sent (libcurl's writebytecount) */
  #bodySent = 0;
  /** we announced Expect: 100-continue */
  #expect100 = false;
  /** when to stop waiting for 100 Continue (nowMs() time), null when not waiting */
  #expectDeadline: number | null = null;
  /** the upload was cut short: the connection cannot carry another request */
  #closeAfter = false;
  #gotBytes = false;
  #bodyStarted = false;
  /** the response body to the trace (ignoreNote: a redirect followed on this connection drops it) */
  readonly #bodyTrace: BodyTrace;
  /** the transfer ended before the response did (resume/time condition): the connection cannot be reused */
  #cutShort = false;

  /** header lines a protocol on top of HTTP adds (WebSocket's upgrade) */
  readonly #extra: ExtraRequestLines | null;
  /** on an HTTP/2 connection: the request's stream, the wire in place of the socket */
  #h2: H2Stream | null = null;
  /** HTTP/2: the TRAILERFUNCTION, asked when the body is all sent */
  #trailers: TrailerSource | null = null;
  /** h2c: at a 101, whether this request's Upgrade switches the connection (src/proto/h2-upgrade.ts) */
  switching: (() => boolean) | null = null;

  constructor(t: Transfer, conn: Connection, guard: CallbackGuard, extra: ExtraRequestLines | null = null) {
    this.#t = t;
    this.#h = httpState(t);
    this.#conn = conn;
    this.#guard = guard;
    this.#writers = t.writers;
    this.#extra = extra;
    this.#bodyTrace = new BodyTrace(guard, t);
    const method = t.opts.num(CURLOPT.NOBODY) ? 'HEAD' : 'GET';
    this.#parser = parserFor({
      method: customRequest(t) ?? method,
      http09Allowed: t.opts.num(CURLOPT.HTTP09_ALLOWED) !== 0, reusedConnection: conn.uses > 1, viaProxy: conn.forwardingProxy,
      ignoreContentLength: t.opts.num(CURLOPT.IGNORE_CONTENT_LENGTH) !== 0,
      transferDecoding: t.opts.num(CURLOPT.HTTP_TRANSFER_DECODING) !== 0,
      reuseEvents: true, // #drainEvents handles each event before the next
      http2: conn.h2 !== null,
    });
  }

  /** Assemble the request; called once in DO. */
  start(): CURLcode {
    const t = this.#t;
    // an accepted server push (the server made the request itself), or an h2c Upgrade's stream 1: the response comes on it
    if ((this.#h2 = adoptPushedStream(t, this.#conn)) !== null) return CURLE.OK;
    // a re-sent request (redirect, authentication, dead connection) starts its body over (Curl_client_start)
    const kind = requestKind(t, this.#h);
    const src = kind === HTTPREQ.POST_MIME ? this.#h.mimeSource : kind === HTTPREQ.PUT || kind === HTTPREQ.POST ? t.clientSource : null;
    if (src && src.needsRewind()) {
      const r = src.rewind();
      if (r.code !== CURLE.OK) {
        t.fail(r.code, r.message ?? '');
        return r.code;
      }
    }
    const req = buildRequest(t, this.#guard, this.#extra);
    if (req.message) t.fail(req.code, req.message);
    if (req.code !== CURLE.OK) return req.code;
    for (const line of req.info ?? []) this.#trace(CURLINFO_TYPE.TEXT, line + '\n');
    t.effectiveMethod = req.method;
    // like libcurl 7.88, a POSTFIELDS body that goes out with the head counts as request bytes; others end with a note
    t.requestSize = req.head.length + (req.bodyInHead ? req.reader!.totalLength() : 0);
    this.#reader = req.reader && !req.bodyInHead && !this.#conn.h2 ? new UploadEndNote(req.reader, () => this.#info('We are completely uploaded and fine')) : req.reader ?? null;
    if (this.#conn.h2) {
      // HTTP/2: the head is a HEADERS frame on a new stream (END_STREAM when no body follows)
      const hasBody = this.#reader !== null && this.#reader.totalLength() !== 0;
      this.#trailers = req.trailers ?? null;
      const o = openH2Stream(t, this.#conn.h2, req.head, hasBody, (type, data) => this.#trace(type, data));
      if (typeof o === 'number') return o;
      this.#h2 = o;
    } else {
      this.#trace(CURLINFO_TYPE.HEADER_OUT, req.head);
      this.#out.push(req.head);
      this.#headBytesLeft = req.head.length;
    }
    t.uploadLength = req.uploadLength ?? -1;
    if (this.#reader && this.#reader.totalLength() !== 0) {
      this.#expect100 = req.expect100 === true;
      this.#send = this.#expect100 ? 'expect' : 'body';
      if (this.#expect100) this.#expectDeadline = nowMs() + t.opts.num(CURLOPT.EXPECT_100_TIMEOUT_MS);
    } else {
      this.#send = 'done';
    }
    return CURLE.OK;
  }

  /** The bytes after a response that switched protocols (101), the new protocol's first, copied out of the transport's memory. */
  takeLeftover(): Buffer {
    return this.#parserSpared ? Buffer.alloc(0) : Buffer.from(this.#parser.takeLeftover());
  }

  /** The response is complete and the upload is over. */
  get done(): boolean {
    return this.#done && this.#sendEnded;
  }

  get #sendEnded(): boolean {
    return (this.#send === 'done' || this.#send === 'stopped') && this.#out.length === 0;
  }

  /** When the wait for 100 Continue ends (the transfer's REQUEST expiry), or null. */
  get wakeAt(): number | null {
    return this.#send === 'expect' ? this.#expectDeadline : null;
  }

  /** What the exchange needs from the socket now. */
  pollWhat(): number {
    if (this.done) return 0;
    let what = 0;
    const h2 = this.#h2;
    if (h2 !== null) {
      // a stream's data waits in its session, not in the socket: pausing it stops only this stream
      h2.setPaused((this.#t.pauseBits & CURLPAUSE.RECV) !== 0);
      // a full stream window is not the socket's: 'drain' on the stream makes it readable
      if (h2.writeBlocked) return CURL_POLL.IN;
    }
    if (this.#out.length > 0 || (this.#send === 'body' && !(this.#t.pauseBits & CURLPAUSE.SEND))) what |= CURL_POLL.OUT;
    if (!this.#done && !(this.#t.pauseBits & CURLPAUSE.RECV)) what |= CURL_POLL.IN;
    return what;
  }

  /** The connection can carry another request after this exchange. */
  get reusable(): boolean {
    // an upload given up early closes the connection, except when no body byte left (a 417 to our Expect)
    if (this.#h2 !== null) return this.done; // the session decides about the connection
    const keepAlive = this.#parserSpared ? this.#keepAlive : this.#parser.keepAlive;
    return this.done && keepAlive && !this.#closeAfter && !this.#cutShort;
  }

  /** HTTP/2: a socket event has nothing for this exchange (no stream events, nothing to send); HTTP/1: never. */
  quiet(): boolean {
    return this.#h2 !== null && !this.#done && this.#sendEnded && this.#h2.quiet();
  }

  /** The request is over for the engine: a stream still open is reset (RST_STREAM CANCEL). */
  abort(): void {
    this.#h2?.close();
  }

  step(): CURLcode {
    const transport: Wire | null = this.#h2 ?? this.#conn.transport;
    if (!transport) return CURLE.SEND_ERROR;
    const pc = this.#h2?.hasPromises ? offerH2Pushes(this.#t, this.#h2) : CURLE.OK;
    if (pc !== CURLE.OK) return pc;
    // 1. send
    const sc = this.#sendSome(transport);
    if (sc !== CURLE.OK) return sc;
    // 2. receive
    if (this.#done || this.#t.pauseBits & CURLPAUSE.RECV) return CURLE.OK;
    for (let i = 0; i < MAX_READS_PER_STEP && !this.#done && this.#t.recvBudget > 0; i++) {
      const r = transport.recv();
      if (r.kind === 'again') break;
      if (r.kind === 'data' && r.data.length > this.#t.recvBudget) {
        // MAX_RECV_SPEED_LARGE: read no more than the budget; the rest waits in the transport
        transport.unrecv(r.data.subarray(this.#t.recvBudget));
        r.data = r.data.subarray(0, this.#t.recvBudget);
      }
      if (r.kind === 'data') {
        this.#t.recvBudget -= r.data.length;
        if (!this.#gotBytes) {
          this.#gotBytes = true;
          this.#t.timing.starttransfer ||= nowMs();
        }
        this.#parser.feed(r.data);
        if (this.#bodyTrace.wire) this.#bodyTrace.body(r.data); // a chunked body: traced per read, before de-chunking
      } else if (r.kind === 'eof') {
        if (this.#bodyStarted && !this.#done) this.#bodyTrace.eof(); // 7.88 traces an empty read of a body not begun
        this.#parser.eof();
      } else {
        return this.#recvFailed(r);
      }
      const code = this.#drainEvents();
      if (code !== CURLE.OK) return code;
      if (this.#t.pauseBits & 1) break;
      if (r.kind === 'eof' && !this.#done) break;
    }
    return CURLE.OK;
  }

  /**
   * Send the queued bytes, then pull more body from the reader while the
   * socket takes it. Bounded per call; OUT readiness brings us back.
   */
  #sendSome(transport: Wire): CURLcode {
    const t = this.#t;
    for (let i = 0; i < MAX_SENDS_PER_STEP; i++) {
      while (this.#out.length > 0 && !transport.writeBlocked) {
        const chunk = this.#out.shift()!;
        const r = transport.send(chunk);
        if (!r.ok) {
          t.fail(CURLE.SEND_ERROR, `Failed sending HTTP request: ${r.error.message}`);
          return CURLE.SEND_ERROR;
        }
        const head = Math.min(this.#headBytesLeft, chunk.length);
        this.#headBytesLeft -= head;
        this.#bodySent += chunk.length - head;
        t.sizeUpload += chunk.length - head;
      }
      if (this.#out.length > 0) break; // wait for 'drain'
      if (this.#send === 'expect' && this.#expectDeadline !== null && nowMs() + 1 >= this.#expectDeadline) {
        this.#trace(CURLINFO_TYPE.TEXT, 'Done waiting for 100-continue\n');
        this.#send = 'body';
      }
      if (this.#send !== 'body' || t.pauseBits & CURLPAUSE.SEND) break;
      const r = this.#reader!.read(t.opts.num(CURLOPT.UPLOAD_BUFFERSIZE));
      if (r.kind === 'pause') {
        // CURL_READFUNC_PAUSE: no more reads until easy.pause() lifts CURLPAUSE_SEND
        t.pauseBits |= CURLPAUSE.SEND;
        break;
      }
      if (r.kind === 'error') {
        t.fail(r.code, r.message);
        return r.code;
      }
      if (r.kind === 'data' && r.data.length > 0) {
        this.#trace(CURLINFO_TYPE.DATA_OUT, r.data);
        this.#out.push(r.data);
      }
      if (r.kind === 'eos' || r.eos) this.#send = 'done';
    }
    if (this.#sendEnded && t.timing.posttransfer === 0) t.timing.posttransfer = nowMs();
    if (this.#sendEnded && this.#h2 !== null && !this.#h2.requestEnded) {
      return endH2Request(t, this.#h2, this.#send === 'done' ? this.#trailers : null, (text) => this.#info(text));
    }
    return CURLE.OK;
  }

  /** The wire failed: a socket error, or an HTTP/2 stream or session error (with its own code). */
  #recvFailed(r: Extract<RecvResult, { kind: 'error' }>): CURLcode {
    const t = this.#t;
    if (r.retry) {
      // the server never processed the stream (REFUSED_STREAM, GOAWAY): the same request on a new connection
      this.#info('REFUSED_STREAM, retrying a fresh connect');
      t.retryRequest = true;
      this.#writers.ignoreBody = true;
      this.#done = true;
      this.#cutShort = true;
      this.#send = 'stopped';
      return CURLE.OK;
    }
    if (r.code !== undefined) {
      t.fail(r.code, r.message ?? '');
      return r.code;
    }
    // a reset: what the parser has is all there is
    t.fail(CURLE.RECV_ERROR, `Recv failure: ${describeNetError(r.error)}`);
    return CURLE.RECV_ERROR;
  }

  /** A final response arrived: decide what becomes of an upload still in progress. */
  #onFinalResponse(code: number): void {
    if (this.#send === 'done' || this.#send === 'stopped') return;
    const t = this.#t;
    if (code < 300) {
      // a final answer without the 100: the body goes now (RFC 9110 10.1.1)
      if (this.#send === 'expect') this.#send = 'body';
      return;
    }
    if (code === 417 && this.#expect100) {
      // 417 Expectation Failed: ask again without the Expect header
      if (this.#bodySent === 0 && this.#send === 'expect') this.#info('Got HTTP failure 417 while waiting for a 100');
      else {
        this.#info('Got HTTP failure 417 while sending data');
        this.#closeAfter = true;
      }
      this.#h.disableExpect = true;
      t.retryRequest = true;
      this.#stopSending();
      return;
    }
    if (t.opts.num(CURLOPT.KEEP_SENDING_ON_ERROR)) {
      this.#info('HTTP error before end of send, keep sending');
      if (this.#send === 'expect') this.#send = 'body';
      return;
    }
    const resend = t.followLocation !== null || t.retryRequest;
    if (resend && this.#reader?.needsRewind()) {
      // the body is sent again on the next request: finish this one if little is left (http_perhapsrewind)
      const total = this.#reader.totalLength();
      const remain = total >= 0 ? total - this.#bodySent : -1;
      if (remain >= 0 && remain < LITTLE_UPLOAD_REMAINS) {
        this.#info('Keep sending data to get tossed away');
        return;
      }
      this.#info(remain >= 0 ? `close instead of sending ${remain} more bytes` : 'close instead of sending unknown amount of more bytes');
    } else {
      this.#info('HTTP error before end of send, stop sending');
    }
    this.#closeAfter = true;
    this.#stopSending();
  }

  #stopSending(): void {
    this.#send = 'stopped';
    // body bytes not handed to the socket yet are dropped; a head still queued is not (it is never split)
    if (this.#headBytesLeft === 0) this.#out = [];
  }

  /** Copy what the parser holds of received bytes: a transport may reuse that memory once back in the event loop. */
  retainReceived(): void {
    if (!this.#parserSpared) this.#parser.retain();
  }

  /** Re-deliver after unpause: continue draining parser events. */
  resume(): CURLcode {
    return this.#drainEvents();
  }

  /** A received header line to the trace (unless not `traced`) and the application, each only when it wants it. */
  #headerLine(ev: { raw: Buffer }, type: number, traced = true): CURLcode {
    // current for every line: a setopt, even from a callback, starts a new option generation
    const verbose = traced && traceEnabled(this.#t);
    const headerLines = this.#writers.wantsHeaders;
    if (verbose) this.#trace(CURLINFO_TYPE.HEADER_IN, ev.raw);
    return headerLines ? this.#writers.headerLine(type, ev) : CURLE.OK;
  }

  #drainEvents(): CURLcode {
    // after 'end' a parser would only answer 'end' again
    if (this.#parserSpared) return CURLE.OK;
    for (;;) {
      const ev = this.#parser.next();
      switch (ev.type) {
        case 'need-data':
          return CURLE.OK;
        case 'status':
          this.#t.responseCode = ev.code;
          this.#h.httpVersion = ev.version;
          // libcurl's conn->httpversion: the next request on this connection follows it
          if (ev.version >= 10) this.#conn.httpVersion = ev.version;
          if (addHeaderBytes(this.#t, ev.size) !== CURLE.OK) return CURLE.RECV_ERROR;
          responseStatus(this.#t, this.#h, ev.reason, ev.exact === true);
          // HTTP/1.0 closes after the body unless a Connection: keep-alive says otherwise (the parser knows)
          if (ev.version === 10) this.#trace(CURLINFO_TYPE.TEXT, 'HTTP 1.0, assume close after body\n');
          {
            const c = this.#headerLine(ev, ev.code < 200 ? STATUS_1XX : STATUS);
            if (c !== CURLE.OK) return c;
          }
          break;
        case 'header':
        case 'trailer': {
          const t = this.#t;
          if (addHeaderBytes(this.#t, ev.type === 'header' ? ev.size : ev.raw.length) !== CURLE.OK) return CURLE.RECV_ERROR;
          // the name, classified once by the parser; trailers are only stored
          const id = ev.type === 'header' ? ev.id : HDR.OTHER;
          switch (id) {
            case HDR.CONTENT_TYPE:
              t.contentType = ev.value;
              break;
            case HDR.RETRY_AFTER:
              this.#h.retryAfter = retryAfterSeconds(ev.value);
              break;
            case HDR.LOCATION:
              if (t.responseCode >= 300 && t.responseCode < 400 && t.redirectUrl === null) onLocation(t, ev.value);
              break;
            case HDR.WWW_AUTHENTICATE:
              for (const line of authOnChallenge(t, this.#h, ev.value)) this.#trace(CURLINFO_TYPE.TEXT, line + '\n');
              break;
            case HDR.PROXY_AUTHENTICATE:
              if (this.#conn.forwardingProxy) {
                for (const line of proxyAuthOnChallenge(t, t.responseCode, ev.value)) this.#trace(CURLINFO_TYPE.TEXT, line + '\n');
              }
              break;
            case HDR.SET_COOKIE:
              // every response feeds the cookie engine: 1xx, redirects we follow, the final one
              this.#onSetCookie(ev.value);
              break;
          }
          {
            const h = this.#hook(responseHeader(t, this.#h, ev.name, ev.value, ev.type === 'trailer', id, ev.type === 'header' && ev.exact === true));
            if (h !== CURLE.OK) return h;
          }
          if (id === HDR.CONTENT_LENGTH && !t.opts.num(CURLOPT.IGNORE_CONTENT_LENGTH)) {
            const plain = plainLength(ev.value); // the common case: digits, no overflow to check
            if (plain >= 0) {
              if (t.contentLength < 0) t.contentLength = plain;
            } else if (t.responseCode >= 200 && parseContentLength(ev.value).kind === 'overflow') {
              // too big to count: with a size limit that is over it already
              const h = this.#hook(exceedsMaxFilesize(t, null, true));
              if (h !== CURLE.OK) return h;
            }
            if (t.contentLength < 0) {
              const n = Number(ev.value.trim());
              if (Number.isSafeInteger(n)) t.contentLength = n;
            }
          }
          const proxyConn = id === HDR.PROXY_CONNECTION && this.#conn.forwardingProxy;
          if ((id === HDR.CONNECTION || proxyConn) && this.#h.httpVersion === 10 && /(^|,)\s*keep-alive\s*(,|$)/i.test(ev.value)) {
            this.#trace(CURLINFO_TYPE.TEXT, `HTTP/1.0 ${proxyConn ? 'proxy ' : ''}connection set to keep alive\n`);
          }
          // trailers are not HEADER_IN: 7.88 traced them as part of the chunked body
          const c = this.#headerLine(ev, ev.type === 'trailer' ? TRAILER : t.responseCode < 200 ? HEADER_1XX : CLIENTWRITE.HEADER, ev.type === 'header');
          if (c !== CURLE.OK) return c;
          break;
        }
        case 'headers-end': {
          if (addHeaderBytes(this.#t, ev.size) !== CURLE.OK) return CURLE.RECV_ERROR;
          // h2c: a 101 to our Upgrade is interim, the switch announced before the blank line
          const sw = this.#t.responseCode === 101 && this.switching !== null && this.switching();
          const interim = ev.interim || sw;
          const note = interim ? null : closeNote(this.#t, this.#conn, this.#parser);
          if (note !== null) this.#info(note);
          // 7.88: HEADERFUNCTION gets the blank line before FAILONERROR's verdict, the trace (final heads only) after
          const c = this.#headerLine(ev, interim ? HEADER_1XX : CLIENTWRITE.HEADER, false);
          if (c !== CURLE.OK) return c;
          // authentication decides about 401s: a retry with credentials is not an error yet
          const viaProxy = this.#conn.forwardingProxy;
          const authFail = interim ? false : authOnHeadersEnd(this.#t, this.#h, viaProxy).fail;
          const authCode = this.#t.responseCode === 401 || (this.#t.responseCode === 407 && viaProxy);
          if (!interim && this.#t.opts.num(CURLOPT.FAILONERROR) && this.#t.responseCode >= 400 &&
              (!authCode || authFail) && !rangeNotSatisfiableOk(this.#t, this.#h)) {
            this.#t.fail(CURLE.HTTP_RETURNED_ERROR, `The requested URL returned error: ${this.#t.responseCode}`);
            return CURLE.HTTP_RETURNED_ERROR;
          }
          if (!interim && traceEnabled(this.#t)) this.#trace(CURLINFO_TYPE.HEADER_IN, ev.raw);
          if (interim && this.#t.responseCode === 100 && this.#send === 'expect') this.#send = 'body';
          if (!interim) this.#onFinalResponse(this.#t.responseCode);
          if (!interim) this.#bodyStarted = true;
          if (!interim && (this.#t.followLocation !== null || this.#t.retryRequest) && this.#parser.closesAfterResponse) {
            // going elsewhere and this connection closes anyway: the body is not worth waiting for (libcurl)
            this.#done = true;
            this.#cutShort = true;
            return CURLE.OK;
          }
          if (!interim && (this.#t.followLocation !== null || this.#t.retryRequest)) this.#writers.ignoreBody = this.#bodyTrace.ignoreNote = true;
          const r = responseHeadersEnd(this.#t, this.#h, interim, this.#writers.ignoreBody);
          const h = this.#hook(r);
          if (h !== CURLE.OK) return h;
          if (r.ignoreBody) this.#writers.ignoreBody = true;
          if (!interim && !this.#writers.ignoreBody && !r.stop) {
            // http_size(): a known length over MAXFILESIZE fails before any body byte
            const framing = this.#parser.framing.kind;
            const size = this.#hook(exceedsMaxFilesize(this.#t, framing === 'chunked' ? null : this.#parser.contentLength, false));
            if (size !== CURLE.OK) return size;
          }
          if (r.stop) {
            this.#done = true;
            this.#cutShort = true;
            return CURLE.OK;
          }
          if (!interim) this.#bodyTrace.headEnded(this.#parser, this.#writers.ignoreBody);
          break;
        }
        case 'data': {
          // traced as read off the network (7.88), even when the writers then drop it; a chunked body's reads already were
          if (!this.#bodyTrace.wire) this.#bodyTrace.body(ev.data);
          const c = this.#writers.write(CLIENTWRITE.BODY, ev.data);
          if (c === PAUSED) return CURLE.OK;
          if (c !== CURLE.OK) return c;
          break;
        }
        case 'end': {
          this.#done = true;
          this.#bodyTrace.ended(this.#parser, this.#t.url?.path ?? '/');
          this.#spareParser();
          const h2 = this.#h2;
          return h2 === null ? CURLE.OK : deliverH2Trailers(this.#t, this.#h, h2, (type, data) => this.#trace(type, data), traceEnabled(this.#t));
        }
        case 'error':
          this.#t.fail(ev.code, ev.message);
          return ev.code;
      }
    }
  }

  /**
   * A Set-Cookie header to the cookie engine. A method of its own: a closure
   * inside #drainEvents would make V8 allocate a context on every header.
   */
  #onSetCookie(value: string): void {
    const t = this.#t;
    cookieFromResponse(t, value, (text) => this.#trace(CURLINFO_TYPE.TEXT, text + '\n'));
  }

  /** Verbose output (DEBUGFUNCTION or stderr). */
  #trace(type: number, data: Buffer | string): void {
    traceData(this.#guard, this.#t, type, data);
  }

  /** An info line to the trace. */
  #info(text: string): void {
    this.#trace(CURLINFO_TYPE.TEXT, text + '\n');
  }

  /**
   * The response is complete: a parser with nothing left in it (keep-alive,
   * no excess bytes) goes to the next exchange. What this one still needs
   * from it (keepAlive, for `reusable`) cannot change any more: no byte is
   * fed after 'end'.
   */
  #spareParser(): void {
    if (!spareParser(this.#parser)) return;
    this.#keepAlive = true;
    this.#parserSpared = true;
  }

  /** Trace a response hook's info lines; fail the transfer with its code. */
  #hook(r: HookResult): CURLcode {
    if (r.info) for (const line of r.info) this.#trace(CURLINFO_TYPE.TEXT, line + '\n');
    if (r.code !== CURLE.OK) this.#t.fail(r.code, r.message ?? easyStrerror(r.code));
    return r.code;
  }

  /** Did any byte of a response arrive? (a reused connection that died before that can be retried) */
  get receivedAnything(): boolean {
    return this.#gotBytes;
  }

  get bodyStarted(): boolean {
    return this.#bodyStarted;
  }
}
