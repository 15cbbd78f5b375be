// Theory of operation: a sans-I/O HTTP/1.x response parser with a pull API
// (modelled on Python's h11). The caller feed()s received bytes, calls eof()
// when the peer closed, and calls next() until it returns 'need-data', 'end'
// or 'error'. Nothing here does I/O, throws, or looks at a clock.
//
//   status ──status line──▶ headers ──blank line──▶ body ──▶ done
//     ▲                        │ 1xx (not 101): headers-end{interim:true}
//     └────────────────────────┘
//   status ──first bytes are not "HTTP/"──▶ HTTP/0.9 body (if allowed) or error
//
// Body framing is a sum type (hyper's h1): 'length', 'chunked', 'close' or
// 'none', decided from the headers by message-framing.ts. Status lines are
// read by status-line.ts, events and options are in response-events.ts.
//
// The parser never consumes a byte past the end of the message: takeLeftover()
// returns what follows (a new protocol after 101 or CONNECT, or garbage). Like
// libcurl, excess bytes do not fail the transfer, but keepAlive turns false as
// soon as any byte beyond the message is fed (libcurl 8 connclose()s on excess;
// a byte arriving later on an idle connection fails curl's liveness check).
//
// Error codes and messages are libcurl's: the list is in response-events.ts.
import { CURLE } from '../codes.js';
import { ByteQueue, LINE_TOO_LONG } from './byte-queue.js';
import { ChunkedDecoder } from './chunked-decoder.js';
import { HDR, headerIdOf, headerIdOfBytes, internedName, internedValue, splitsBack, trimOws, type HeaderId } from './header-fields.js';
import { countCr, fastStatusLine, latin1, lineText, mayBeHttpPrefix, parseStatusLine, NO_STATUS, SP, HT, type FastStatus } from './status-line.js';
import { FRAMING_CLOSE, FRAMING_NONE, ResponseFraming } from './message-framing.js';
import {
  inPlaceEvents, ownEvent, MAX_HTTP_RESP_HEADER_SIZE, CURL_MAX_HTTP_HEADER, MAX_HTTP_RESP_HEADER_COUNT,
  type Framing, type HeadersEndEvent, type InPlaceEvents, type ParseEvent, type PendingHeader, type ResponseParserOptions,
} from './response-events.js';

export { MAX_HTTP_RESP_HEADER_SIZE, CURL_MAX_HTTP_HEADER } from './response-events.js';
export type { HeaderEvent, StatusEvent, HeadersEndEvent, ParseEvent, Framing, ResponseParserOptions } from './response-events.js';

type State = 'status' | 'headers' | 'body' | 'done' | 'error';

/** Header lines up to this long are read in place (see #headerInPlace). */
const IN_PLACE_MAX_LINE = 1024;
const NEED_DATA: ParseEvent = { type: 'need-data' };
const END: ParseEvent = { type: 'end' };
const EMPTY = Buffer.alloc(0);

export class ResponseParser {
  readonly #q = new ByteQueue();
  // The options (set again by reset()):
  #method = '';
  #maxHeaderBytes = 0;
  #maxLine = 0;
  #http09 = false;
  #ignoreCL = false;
  #decode = true;
  #reusedConnection = false;
  #h2 = false;
  /** the reusable event objects (reuseEvents), null otherwise */
  #inPlace: InPlaceEvents | null = null;

  #state: State = 'status';
  #eof = false;
  #events: ParseEvent[] = [];
  #error: ParseEvent | null = null;
  #headerBytes = 0;
  /** header lines of the exchange so far, interim responses' included */
  #headerCount = 0;
  #version = 0;
  #code = 0;
  #interim = false;
  /** an interim (1xx) response was received before the current status line */
  #interimSeen = false;
  #excessTaken = false;
  // Per response (reset after each interim response):
  #pending: PendingHeader | null = null;
  /** what the headers say about framing and reuse; its verdict at the end of the final response's headers */
  readonly #facts = new ResponseFraming();
  // Decided at the end of the final response's headers:
  #framing: Framing = FRAMING_NONE;
  #remaining = 0;
  #chunks: ChunkedDecoder | null = null;

  constructor(opts: ResponseParserOptions) {
    this.#configure(opts);
  }

  /** Whether reset() may take this parser for a new message: complete, nothing follows or is held (no state a new message could see). */
  get recyclable(): boolean {
    return this.keepAlive && this.#events.length === 0 && this.#q.partialLineLength === 0;
  }

  /** Start over for a new response, as a new ResponseParser(opts) would (a kept-alive connection's next exchange). Only when recyclable. */
  reset(opts: ResponseParserOptions): void {
    this.#q.reset();
    this.#state = 'status';
    this.#eof = false;
    this.#error = null;
    this.#headerBytes = 0;
    this.#headerCount = 0;
    this.#version = 0;
    this.#code = 0;
    this.#interim = false;
    this.#interimSeen = false;
    this.#excessTaken = false;
    this.#pending = null;
    this.#facts.clear();
    this.#framing = FRAMING_NONE;
    this.#remaining = 0;
    this.#chunks = null;
    this.#configure(opts);
  }

  /** Drop the references the reused events hold to received Buffers (a parser waiting to be reset). */
  forgetBuffers(): void {
    const e = this.#inPlace;
    if (!e) return;
    e.header.set(EMPTY, 0, 0, '', '', HDR.OTHER, false);
    e.status.set(EMPTY, 0, 0, NO_STATUS);
    e.end.set(EMPTY, 0, 0, false);
    e.data.data = EMPTY;
  }

  #configure(opts: ResponseParserOptions): void {
    this.#method = opts.method.toUpperCase();
    this.#maxHeaderBytes = opts.maxHeaderBytes ?? MAX_HTTP_RESP_HEADER_SIZE;
    this.#maxLine = opts.maxHeaderLineBytes ?? CURL_MAX_HTTP_HEADER;
    this.#http09 = opts.http09Allowed ?? false;
    this.#ignoreCL = opts.ignoreContentLength ?? false;
    this.#decode = opts.transferDecoding ?? true;
    this.#reusedConnection = opts.reusedConnection ?? false;
    this.#h2 = opts.http2 ?? false;
    this.#facts.viaProxy = opts.viaProxy ?? false;
    this.#inPlace = !opts.reuseEvents ? null : this.#inPlace ?? inPlaceEvents();
  }

  /** Whether the connection may carry another request after 'end'. False before 'end'. */
  get keepAlive(): boolean {
    return this.#state === 'done' && this.#facts.reusable && !this.#eof && !this.#excessTaken && this.#q.length === 0;
  }

  /**
   * The final response's head is complete and the connection will not carry
   * another request after it (Connection: close, HTTP/1.0 without keep-alive,
   * a body delimited by close): libcurl's conn->bits.close at end of headers.
   */
  get closesAfterResponse(): boolean {
    return (this.#state === 'body' || this.#state === 'done') && !this.#facts.reusable;
  }

  /** Body framing of the final response ({kind:'none'} until its headers ended). */
  get framing(): Framing {
    return this.#framing;
  }

  /** 9, 10 or 11 once a status line (or an HTTP/0.9 reply) was seen; 0 before. */
  get httpVersion(): number {
    return this.#version;
  }

  /** Status code of the latest status line (0 for HTTP/0.9 and before any). */
  get statusCode(): number {
    return this.#code;
  }

  /** The valid Content-Length of the latest response, or null (absent, ignored or overflowing). */
  get contentLength(): number | null {
    return this.#facts.contentLength;
  }

  /** Transfer-Encoding codings of the latest response, lower-cased, in order. */
  get transferEncodings(): readonly string[] {
    return this.#facts.transferEncodings;
  }

  /**
   * Queue received bytes. The parser keeps references to (and hands out
   * slices of) these Buffers: the caller must not modify them afterwards.
   */
  feed(buf: Buffer): void {
    if (this.#state === 'error') return;
    this.#q.push(buf);
  }

  /**
   * Copy whatever the parser still holds of fed Buffers (a partial line,
   * unread bytes, a header waiting for a possible continuation line, queued
   * events), so the feeder may reuse their memory: a transport that receives
   * into recycled buffers calls this before control returns to the event loop.
   */
  retain(): void {
    this.#q.own();
    const p = this.#pending;
    if (p && p.owned < p.raw.length) {
      for (let i = p.owned; i < p.raw.length; i++) p.raw[i] = Buffer.from(p.raw[i]!);
      p.owned = p.raw.length;
    }
    if (this.#events.length > 0) this.#events = this.#events.map(ownEvent);
  }

  /** The peer closed its sending side: no more bytes will be fed. */
  eof(): void {
    this.#eof = true;
  }

  /**
   * The fed bytes not parsed yet, left in the parser: at the start of a
   * chunked body the rest of the read (curl traces it before de-chunking),
   * after 'end' the bytes beyond the message.
   */
  peekUnread(): Buffer {
    return this.#q.peekAll();
  }

  /** After 'end': the bytes fed beyond the message, removed from the parser. */
  takeLeftover(): Buffer {
    if (this.#state !== 'done') return EMPTY;
    const rest = this.#q.takeAll();
    if (rest.length > 0) this.#excessTaken = true;
    return rest;
  }

  next(): ParseEvent {
    if (this.#events.length > 0) return this.#events.shift()!;
    // Every pass either returns or consumes input / changes state, so this
    // loop is bounded by the number of queued bytes.
    for (;;) {
      let ev: ParseEvent | null;
      switch (this.#state) {
        case 'error':
          return this.#error!;
        case 'done':
          return END;
        case 'status':
          ev = this.#stepStatus();
          break;
        case 'headers':
          ev = this.#stepHeaders();
          break;
        case 'body':
          ev = this.#stepBody();
          break;
      }
      if (ev) return ev;
    }
  }

  #fail(code: number, message: string): ParseEvent {
    this.#state = 'error';
    this.#events = [];
    this.#error = { type: 'error', code, message };
    return this.#error;
  }

  /** Emit `first` now and the others on the following next() calls (only `first` may be a reused object). */
  #emit(first: ParseEvent, second: ParseEvent, third?: ParseEvent): ParseEvent {
    this.#events.push(second);
    if (third) this.#events.push(third);
    return first;
  }

  /** A 'data' event (the reused one with reuseEvents). */
  #data(data: Buffer): ParseEvent {
    const ev = this.#inPlace?.data;
    if (!ev) return { type: 'data', data };
    ev.data = data;
    return ev;
  }

  /** Count a complete header line against the response header limit. */
  #countHeaderLine(line: Buffer): ParseEvent | null {
    this.#headerBytes += line.length;
    if (this.#headerBytes > this.#maxHeaderBytes) {
      return this.#fail(CURLE.RECV_ERROR, `Too large response headers: ${this.#headerBytes} > ${this.#maxHeaderBytes}`);
    }
    if (line.includes(0)) return this.#fail(CURLE.WEIRD_SERVER_REPLY, 'Nul byte in header');
    return null;
  }

  /** curl 8's checks of a header line with `crs` CRs (`ending`: one ends it), which 7.88 lacked: a stray CR (case 2105), too many lines (747). */
  #checkHeaderLine(crs: number, ending: boolean): ParseEvent | null {
    if (crs > (ending ? 1 : 0)) return this.#fail(CURLE.WEIRD_SERVER_REPLY, 'Stray CR in a response header');
    if (++this.#headerCount <= MAX_HTTP_RESP_HEADER_COUNT) return null;
    return this.#fail(CURLE.TOO_LARGE, `Too many response headers, ${MAX_HTTP_RESP_HEADER_COUNT} is max`);
  }

  #lineTooLong(): ParseEvent {
    return this.#fail(CURLE.TOO_LARGE, `Too large response header line (max is ${this.#maxLine - 1} bytes)`);
  }

  #stepStatus(): ParseEvent | null {
    // Like curl, decide "this is not HTTP/1.x" from the first bytes, without
    // waiting for a line end that an HTTP/0.9 server may never send.
    if (this.#q.startsWithHttpSlash()) {
      if (this.#inPlace) {
        const ev = this.#statusInPlace();
        if (ev) return ev;
      }
    } else if (!mayBeHttpPrefix(this.#q.linePrefix(5))) {
      return this.#startHttp09(EMPTY);
    }
    // The limit never cuts in before those 5 bytes were judged.
    const line = this.#q.readLine(Math.max(this.#maxLine, 6));
    if (line === LINE_TOO_LONG) return this.#lineTooLong();
    if (line === null) {
      // Interim responses do not count as a reply (curl deducts them).
      if (this.#eof) return this.#fail(CURLE.GOT_NOTHING, 'Empty reply from server');
      return NEED_DATA;
    }
    const fast = fastStatusLine(line, 0, line.length - 1); // a complete line ends in LF
    const text = fast ? '' : lineText(line);
    if (!fast && text.length < 5) return this.#startHttp09(line); // "HT\r\n": a complete line that is not HTTP
    const bad = this.#countHeaderLine(line);
    if (bad) return bad;
    const st = fast ?? parseStatusLine(text, this.#h2);
    if (!st.ok) return this.#fail(CURLE.UNSUPPORTED_PROTOCOL, st.message);
    this.#startResponse(st);
    return { type: 'status', version: st.version, code: st.code, reason: st.reason, raw: line, size: line.length };
  }

  /**
   * The common status line, read in place: "HTTP/1.x NNN reason" complete in
   * the first queued Buffer, without NUL, within the limits. The same event
   * as the general path in #stepStatus; null when that path must decide.
   */
  #statusInPlace(): ParseEvent | null {
    const q = this.#q;
    const b = q.head!; // startsWithHttpSlash(): bytes queued, no partial line
    const start = q.headOffset;
    const stop = Math.min(b.length, start + IN_PLACE_MAX_LINE);
    let lf = -1;
    for (let i = start; i < stop; i++) {
      const c = b[i]!;
      if (c === 0x0a) {
        lf = i;
        break;
      }
      if (c === 0) return null;
    }
    if (lf < 0) return null;
    const size = lf + 1 - start;
    if (size >= Math.max(this.#maxLine, 6) || this.#headerBytes + size > this.#maxHeaderBytes) return null;
    const st = fastStatusLine(b, start, lf);
    if (!st) return null;
    this.#headerBytes += size;
    q.advance(size);
    this.#startResponse(st);
    return this.#inPlace!.status.set(b, start, size, st);
  }

  /** A status line was read: a response (interim or final) starts. */
  #startResponse(st: FastStatus): void {
    this.#version = st.version;
    this.#code = st.code;
    this.#interim = st.code >= 100 && st.code < 200 && st.code !== 101;
    this.#pending = null;
    this.#facts.clear();
    this.#state = 'headers';
  }

  /** The reply is not HTTP/1.x: everything received is an HTTP/0.9 body. */
  #startHttp09(consumedLine: Buffer): ParseEvent {
    // libcurl 8: after an interim response, on a connection that already
    // spoke HTTP/1.x, or for HEAD, a reply that is not HTTP/1.x is weird,
    // whether or not HTTP/0.9 is allowed (curl tests 1480, 1479, 1144)
    if (this.#interimSeen) return this.#fail(CURLE.WEIRD_SERVER_REPLY, 'Invalid status line after an interim response');
    if (this.#reusedConnection) return this.#fail(CURLE.WEIRD_SERVER_REPLY, 'Version mismatch (from HTTP/1 to HTTP/0.9)');
    if (!this.#http09) return this.#fail(CURLE.UNSUPPORTED_PROTOCOL, 'Received HTTP/0.9 when not allowed');
    if (this.#method === 'HEAD') return this.#fail(CURLE.WEIRD_SERVER_REPLY, 'HTTP/0.9 reply to a HEAD request');
    this.#q.unreadPartialLine();
    this.#version = 9;
    this.#code = 0;
    this.#framing = FRAMING_CLOSE;
    this.#facts.reusable = false;
    this.#state = 'body';
    const status: ParseEvent = { type: 'status', version: 9, code: 0, reason: '', raw: EMPTY, size: 0 };
    const end: ParseEvent = { type: 'headers-end', interim: false, raw: EMPTY, size: 0 };
    return consumedLine.length > 0 ? this.#emit(status, end, { type: 'data', data: consumedLine }) : this.#emit(status, end);
  }

  /**
   * The common case, read in place: a complete header line whose next byte
   * (no obs-fold) is in the same received Buffer, without NUL, within the
   * limits. Gives the same event as the general path in #stepHeaders (which
   * would hold it as pending and flush it on seeing that next byte), without
   * a Buffer view, pending record or event object per line. undefined when
   * the general path must decide.
   */
  #headerInPlace(): ParseEvent | null | undefined {
    const q = this.#q;
    const b = q.head;
    if (b === undefined || q.partialLineLength !== 0) return undefined;
    const start = q.headOffset;
    const first = b[start]!;
    if (first === 0x0d || first === 0x0a) {
      // the blank line that ends the headers ("\r" followed by anything but LF starts a longer line)
      const size = first === 0x0a ? 1 : start + 1 < b.length && b[start + 1] === 0x0a ? 2 : 0;
      if (size === 0 || size >= this.#maxLine || this.#headerBytes + size > this.#maxHeaderBytes) return undefined;
      this.#headerBytes += size;
      q.advance(size);
      return this.#endOfHeaders(this.#inPlace!.end.set(b, start, size, this.#interim));
    }
    if (first === SP || first === HT) return undefined;
    // one pass for the LF, the first colon and a NUL (a short line: cheaper
    // than native searches); longer lines take the general path
    const stop = Math.min(b.length, start + IN_PLACE_MAX_LINE);
    let colon = -1;
    let lf = -1;
    let bits = 0; // every byte OR-ed (0x80: a non-ASCII byte), +0x100 per CR: for splitsBack()
    for (let i = start; i < stop; i++) {
      const c = b[i]!;
      if (c === 0x0a) {
        lf = i;
        break;
      }
      if (c === 0) return undefined;
      bits = (bits | c) + (c === 0x0d ? 0x100 : 0);
      if (c === 0x3a && colon < 0) colon = i;
    }
    // the byte after the line must be here to rule out a continuation line
    if (lf < 0 || colon < 0 || lf + 1 >= b.length) return undefined;
    const next = b[lf + 1]!;
    if (next === SP || next === HT) return undefined;
    const size = lf + 1 - start;
    if (size >= this.#maxLine || this.#headerBytes + size > this.#maxHeaderBytes) return undefined;
    let end = lf;
    if (end > start && b[end - 1] === 0x0d) end--;
    let vs = colon + 1;
    let ve = end;
    while (vs < ve && (b[vs] === SP || b[vs] === HT)) vs++;
    while (ve > vs && (b[ve - 1] === SP || b[ve - 1] === HT || b[ve - 1] === 0x0d)) ve--;
    const id = headerIdOfBytes(b, start, colon);
    const name = id === HDR.OTHER ? latin1(b, start, colon) : internedName(id, b, start, colon, latin1);
    const value = id === HDR.OTHER ? latin1(b, vs, ve) : internedValue(id, b, vs, ve, latin1);
    const odd = this.#checkHeaderLine(bits >> 8, end < lf);
    if (odd) return odd;
    this.#headerBytes += size;
    q.advance(size);
    const bad = this.#interpret(id, value);
    if (bad) return bad;
    return this.#inPlace!.header.set(b, start, size, name, value, id, splitsBack(b, colon, vs, ve, end, end < lf, bits));
  }

  #stepHeaders(): ParseEvent | null {
    const q = this.#q;
    if (this.#inPlace && !this.#pending) {
      const ev = this.#headerInPlace();
      if (ev !== undefined) return ev;
    }
    // A header is only complete when the next line does not start with
    // SP/HTAB (obs-fold), so it is held back until one more byte is known.
    if (this.#pending && q.partialLineLength === 0) {
      const b = q.peekByte();
      if (b < 0 && !this.#eof) return NEED_DATA;
      if (b !== SP && b !== HT) return this.#flushPending();
    }
    const line = q.readLine(this.#maxLine);
    if (line === LINE_TOO_LONG) return this.#lineTooLong();
    if (line === null) {
      if (!this.#eof) return NEED_DATA;
      if (this.#pending) return this.#flushPending();
      // curl counts an interim response as nothing received.
      if (this.#interim) return this.#fail(CURLE.GOT_NOTHING, 'Empty reply from server');
      // curl 7.88 treats a close inside the final response's headers as the
      // end of the headers (a partial line is dropped) and lets the framing
      // decide: Content-Length still owed -> 18, otherwise success.
      q.takeAll();
      return this.#endOfHeaders({ type: 'headers-end', interim: this.#interim, raw: EMPTY, size: 0 });
    }
    const bad = this.#countHeaderLine(line);
    if (bad) return bad;
    // curl: a line starting with CR or LF ends the headers.
    if (line[0] === 0x0d || line[0] === 0x0a) {
      return this.#endOfHeaders({ type: 'headers-end', interim: this.#interim, raw: line, size: line.length });
    }
    const lf = line[line.length - 1] === 0x0a ? line.length - 1 : line.length;
    const odd = this.#checkHeaderLine(countCr(line), lf > 0 && line[lf - 1] === 0x0d);
    if (odd) return odd;
    if (line[0] !== SP && line[0] !== HT) {
      // the common case, read straight from the bytes: name, colon, OWS, value, OWS
      let end = line.length;
      if (end > 0 && line[end - 1] === 0x0a) end--;
      if (end > 0 && line[end - 1] === 0x0d) end--;
      let colon = 0;
      while (colon < end && line[colon] !== 0x3a) colon++;
      if (colon === end) return this.#fail(CURLE.WEIRD_SERVER_REPLY, 'Header without colon');
      let vs = colon + 1;
      let ve = end;
      while (vs < ve && (line[vs] === SP || line[vs] === HT)) vs++;
      while (ve > vs && (line[ve - 1] === SP || line[ve - 1] === HT || line[ve - 1] === 0x0d)) ve--;
      this.#pending = { name: latin1(line, 0, colon), value: latin1(line, vs, ve), raw: [line], owned: 0 };
      return null;
    }
    let text = lineText(line);
    if (line[0] === SP || line[0] === HT) {
      if (this.#pending) {
        const more = trimOws(text);
        this.#pending.raw.push(line);
        if (more) this.#pending.value = this.#pending.value ? `${this.#pending.value} ${more}` : more;
        return null;
      }
      // Nothing to fold into: libcurl 8 drops the leading blanks and reads
      // the line as a header of its own.
      text = text.replace(/^[ \t]+/, '');
    }
    const colon = text.indexOf(':');
    if (colon < 0) return this.#fail(CURLE.WEIRD_SERVER_REPLY, 'Header without colon');
    this.#pending = { name: text.slice(0, colon), value: trimOws(text.slice(colon + 1)), raw: [line], owned: 0 };
    return null;
  }

  /** Interpret the completed header (framing / reuse) and emit it. */
  #flushPending(): ParseEvent {
    const h = this.#pending!;
    this.#pending = null;
    const raw = h.raw.length === 1 ? h.raw[0]! : Buffer.concat(h.raw);
    const id = headerIdOf(h.name);
    const bad = this.#interpret(id, h.value);
    if (bad) return bad;
    return { type: 'header', name: h.name, value: h.value, raw, id, size: raw.length };
  }

  /** What a complete header means for framing and reuse; an error event for a bad Content-Length. */
  #interpret(id: HeaderId, value: string): ParseEvent | null {
    const bad = this.#facts.interpret(id, value, this.#ignoreCL);
    return bad === null ? null : this.#fail(CURLE.WEIRD_SERVER_REPLY, bad);
  }

  /** The blank line (or eof) ended the headers: `headersEnd` is its event. */
  #endOfHeaders(headersEnd: HeadersEndEvent): ParseEvent {
    if (this.#interim) {
      this.#state = 'status';
      this.#interimSeen = true;
      return headersEnd;
    }
    const framing = this.#facts.decide(this.#version, this.#code, this.#method);
    this.#framing = framing;
    if (framing.kind === 'none' || (framing.kind === 'length' && framing.length === 0)) {
      this.#state = 'done'; // next() answers 'end' from here on
      return headersEnd;
    }
    this.#state = 'body';
    if (framing.kind === 'length') this.#remaining = framing.length;
    if (framing.kind === 'chunked') {
      this.#chunks = new ChunkedDecoder();
      if (!this.#decode) this.#q.setTap(true);
    }
    return headersEnd;
  }

  #stepBody(): ParseEvent | null {
    const q = this.#q;
    switch (this.#framing.kind) {
      case 'length': {
        const data = q.take(this.#remaining);
        if (data.length === 0) {
          if (!this.#eof) return NEED_DATA;
          return this.#fail(CURLE.PARTIAL_FILE, `transfer closed with ${this.#remaining} bytes remaining to read`);
        }
        this.#remaining -= data.length;
        if (this.#remaining === 0) this.#state = 'done'; // next() answers 'end' from here on
        return this.#data(data);
      }
      case 'close': {
        const data = q.take(q.length);
        if (data.length > 0) return this.#data(data);
        if (!this.#eof) return NEED_DATA;
        this.#state = 'done';
        return END;
      }
      case 'chunked':
        return this.#stepChunked();
      case 'none':
        this.#state = 'done';
        return END;
    }
  }

  #stepChunked(): ParseEvent | null {
    const ev = this.#chunks!.step(this.#q);
    // Raw mode: the framing bytes the decoder went over are the data, and
    // they go out before whatever the decoder reports (so the split of the
    // input into feeds never changes the result).
    const raw = this.#decode ? EMPTY : this.#q.drainTap();
    const data: ParseEvent | null = raw.length > 0 ? { type: 'data', data: raw } : null;
    let outcome: ParseEvent | null;
    if (ev.type === 'error') {
      outcome = this.#fail(ev.code, ev.message);
    } else if (ev.type === 'need-data') {
      outcome = this.#eof ? this.#fail(CURLE.PARTIAL_FILE, 'transfer closed with outstanding read data remaining') : NEED_DATA;
    } else if (ev.type === 'end') {
      this.#state = 'done';
      this.#q.setTap(false);
      outcome = END;
    } else {
      outcome = this.#decode ? ev : null; // raw mode: chunk data / trailers are inside `raw`
    }
    // 'error' and 'end' are sticky states, so next() repeats them after the data.
    return data ?? outcome;
  }
}
