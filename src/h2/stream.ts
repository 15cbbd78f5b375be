// One HTTP/2 stream: the wire of one HTTP exchange (src/proto/http.ts), with
// the recv()/send() shape a StreamTransport has. The session (session.ts)
// parses the connection's frames and hands each stream its events: response
// heads (as the HTTP/1 lines curl 7.88 makes of them), body bytes (views of
// the received frames), trailers, the end, a reset. The transfer takes them
// with recv(), inside a library call; the stream's receive window opens again
// only for what the transfer took (a paused stream's window closes), and a
// request body goes out as the server's windows allow.
import { CURLE } from '../codes.js';
import type { RecvResult } from '../transport/stream-transport.js';
import { h2ErrorName } from './fields.js';
import { H2ERR } from './frames.js';
import type { H2Failure, PushPromise } from './fields.js';
import type { H2Session } from './session.js';

const AGAIN: RecvResult = Object.freeze({ kind: 'again' });
const EOF: RecvResult = Object.freeze({ kind: 'eof' });
const SENT = { ok: true } as const;

export class H2Stream {
  readonly session: H2Session;
  readonly id: number;
  /** a stream the server pushed (PUSH_PROMISE): no request of ours goes on it */
  readonly isPush: boolean;
  /** the request is HEAD: a content-length in the response says nothing of its DATA */
  readonly isHead: boolean;

  // receiving
  /** response heads (1xx and the final one) not taken yet */
  #heads: Buffer[] = [];
  #body: Buffer[] = [];
  /**
   * the last queued piece while DATA frames may still join it, as bounds in
   * its buffer: made a Buffer (a view) only when taken or sealed, not once per
   * joined frame
   */
  #openBuf: Buffer | null = null;
  #openFrom = 0;
  #openTo = 0;
  /** @internal bytes queued in #body */
  bodyBytes = 0;
  /** @internal the final head came (later HEADERS are trailers) */
  finalSeen = false;
  /** @internal END_STREAM came */
  remoteEnded = false;
  /** @internal the response's content-length (-1: none), and the DATA bytes received */
  expectLength = -1;
  received = 0;
  /** @internal what the peer may still send on this stream (our receive window), and what was taken since the last WINDOW_UPDATE */
  recvWindow: number;
  unacked = 0;
  #trailers: [string, string][] | null = null;
  #anyHead = false;
  /** the stream's failure, fixed when it happened */
  #failure: H2Failure | null = null;

  // sending
  /** @internal what we may send (the peer's window for this stream) */
  sendWindow: number;
  /** @internal request body bytes not sent yet */
  sendQueue: Buffer[] = [];
  sendQueued = 0;
  /** @internal the request is complete: END_STREAM goes after the queued bytes (with trailers, when some) */
  endPending = false;
  /** @internal the trailers to send at the end */
  endTrailers: [string, string][] | null = null;
  /** @internal END_STREAM was sent */
  localEnded = false;
  /** @internal the stream is closed for the session (both ends, or reset) */
  closed = false;

  // the transfer
  /** the transfer does not take events now (receiving paused) */
  #paused = false;
  /** the queued body went out since the transfer last sent */
  #drained = false;
  #abandoned = false;
  /** PUSH_PROMISEs received on this stream, not offered to the application yet */
  #promises: PushPromise[] = [];

  constructor(session: H2Session, id: number, recvWindow: number, sendWindow: number, isPush: boolean, isHead: boolean) {
    this.session = session;
    this.id = id;
    this.recvWindow = recvWindow;
    this.sendWindow = sendWindow;
    this.isPush = isPush;
    this.isHead = isHead;
  }

  // ---- events from the session ----

  /** @internal a response head (1xx or final) */
  head(head: Buffer, final: boolean): void {
    this.#heads.push(head);
    this.#anyHead = true;
    if (final) this.finalSeen = true;
    this.#changed();
  }

  /**
   * @internal DATA payload `b[from, to)`, kept as a view. When it `follows`
   * this stream's previous DATA frame in the same buffer and that payload is
   * still the last one queued, it is moved back over the spent frame header
   * in between and the queued view grows: one piece per read for the
   * transfer, not one per frame (nginx sends 8 KiB frames). True when joined.
   */
  data(b: Buffer, from: number, to: number, follows: boolean): boolean {
    const n = to - from;
    if (n === 0) return false;
    if (follows && this.#openBuf === b && this.#openTo <= from) {
      const end = this.#openTo;
      b.copyWithin(end, from, to);
      this.#openTo = end + n;
      this.bodyBytes += n;
      return true; // already ready for its transfer
    }
    this.#seal();
    this.#openBuf = b;
    this.#openFrom = from;
    this.#openTo = to;
    this.bodyBytes += n;
    this.#changed();
    return false;
  }

  /** The open piece goes to the queue as a view: nothing joins it any more. */
  #seal(): void {
    const b = this.#openBuf;
    if (b === null) return;
    this.#body.push(b.subarray(this.#openFrom, this.#openTo));
    this.#openBuf = null;
  }

  /** @internal the queued body becomes bytes of its own (the transport's memory is reused once back in the event loop) */
  retainBody(): void {
    this.#seal();
    const body = this.#body;
    for (let i = 0; i < body.length; i++) body[i] = Buffer.from(body[i]!);
  }

  /** @internal trailers, with END_STREAM */
  setTrailers(list: [string, string][]): void {
    this.#trailers = list;
  }

  /** @internal END_STREAM came */
  ended(): void {
    this.remoteEnded = true;
    this.#changed();
  }

  /** @internal the stream failed (reset by the server or by us, or its session failed): recv() reports it after what came before */
  fail(f: H2Failure): void {
    if (this.#failure !== null || (this.remoteEnded && this.finalSeen)) return;
    this.#failure = f;
    this.#changed();
  }

  /** @internal the reset code's failure, as curl 7.88's on_stream_close words it; REFUSED_STREAM before any answer may go again elsewhere */
  failReset(code: number): void {
    const retry = code === H2ERR.REFUSED_STREAM && !this.finalSeen;
    this.fail({ code: CURLE.HTTP2_STREAM, message: `HTTP/2 stream ${this.id} was not closed cleanly: ${h2ErrorName(code)} (err ${code})`, retry });
  }

  /** @internal the queued request body went out */
  drained(): void {
    this.#drained = true;
    this.#changed();
  }

  #changed(): void {
    this.session.markReady(this, !this.#paused && this.#hasEvents());
  }

  #hasEvents(): boolean {
    return this.#heads.length > 0 || this.#failure !== null || this.#drained || this.#promises.length > 0 ||
      this.#body.length > 0 || this.#openBuf !== null || (this.remoteEnded && this.finalSeen) || this.session.failure !== null;
  }

  /**
   * Nothing for the transfer (after feeding the session what arrived):
   * recv() would say 'again', no drain waits. Then the stream is not ready
   * either, as after recv()'s 'again': a transfer whose step ended on its
   * read limit just as it took the last piece left the transport readable,
   * and the built-in driver ran perform() round after round for nothing
   * until more bytes came.
   */
  quiet(): boolean {
    this.session.pump();
    if (this.#hasEvents()) return false;
    this.session.markReady(this, false);
    return true;
  }

  /** Next piece of the response: head bytes, body bytes, 'eof', 'again', or the stream's error. */
  recv(): RecvResult {
    const s = this.session;
    // more from the socket only once what was parsed for this stream is taken: fewer views held to the end of the turn
    if (this.#heads.length === 0 && this.#body.length === 0 && this.#openBuf === null) s.pump();
    if (this.#heads.length > 0) return { kind: 'data', data: this.#heads.shift()! };
    if (this.#body.length > 0 || this.#openBuf !== null) {
      let data: Buffer;
      if (this.#body.length > 0) data = this.#body.shift()!;
      else {
        // the usual case: one piece per read, taken as a view made now
        data = this.#openBuf!.subarray(this.#openFrom, this.#openTo);
        this.#openBuf = null;
      }
      this.bodyBytes -= data.length;
      s.consumed(this, data.length);
      return { kind: 'data', data };
    }
    if (this.remoteEnded && this.finalSeen) return EOF;
    if (this.#failure === null && s.failure !== null) this.#failure = this.#sessionFailure(s.failure);
    if (this.#failure !== null) {
      const f = this.#failure;
      return { kind: 'error', error: new Error(f.message), code: f.code, message: f.message, retry: f.retry === true };
    }
    this.#drained = false;
    s.markReady(this, false);
    return AGAIN;
  }

  /** How the session's failure ends this stream (curl 7.88's words). */
  #sessionFailure(f: H2Failure): H2Failure {
    const s = this.session;
    if (!this.#anyHead && !s.peerSpoke) {
      // the connection ended before the server said anything in HTTP/2 (an HTTP/1 server answering the preface)
      return { code: CURLE.GOT_NOTHING, message: 'Empty reply from server' };
    }
    if (f.code === CURLE.PARTIAL_FILE) return { code: f.code, message: `HTTP/2 stream ${this.id} was not closed cleanly ${f.message}` };
    return f;
  }

  /** Put bytes back (a receive budget cut a piece short). */
  unrecv(data: Buffer): void {
    if (data.length === 0) return;
    this.#seal();
    this.#body.unshift(data);
    this.bodyBytes += data.length;
    this.session.consumed(this, -data.length);
    this.session.holds(this);
  }

  /** Request body bytes as DATA frames, sent as the flow-control windows allow. */
  send(data: Buffer | string): { ok: true } | { ok: false; error: Error } {
    if (this.closed || this.localEnded || this.endPending) {
      const f = this.#failure ?? this.session.failure;
      return { ok: false, error: new Error(f !== null ? f.message : 'stream closed') };
    }
    const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    this.#drained = false;
    if (b.length === 0) return SENT;
    this.sendQueue.push(b);
    this.sendQueued += b.length;
    this.session.sendData(this);
    return SENT;
  }

  /** Request body bytes wait for the server's window: wait for them to go out. */
  get writeBlocked(): boolean {
    return this.sendQueued > 0 && !this.closed;
  }

  /** The request body is complete: END_STREAM (after `trailers`, when given). */
  endRequest(trailers: [string, string][] = []): void {
    if (this.endPending || this.localEnded) return;
    this.endPending = true;
    this.endTrailers = trailers.length > 0 ? trailers : null;
    if (!this.closed) this.session.sendData(this);
  }

  /** END_STREAM is (being) sent: the request is complete. */
  get requestEnded(): boolean {
    return this.endPending || this.localEnded;
  }

  /** The response's trailers ([name, value], no pseudo-headers), once END_STREAM came with them. */
  get trailers(): [string, string][] | null {
    return this.#trailers;
  }

  /** The transfer stopped (or resumed) taking received data (CURLPAUSE_RECV on this stream only). */
  setPaused(paused: boolean): void {
    if (paused === this.#paused) return;
    this.#paused = paused;
    this.#changed();
  }

  /** The stream is over for the transfer: reset it if it is still open (RST_STREAM CANCEL, as libcurl on early close). */
  close(): void {
    if (this.#abandoned) return;
    this.#abandoned = true;
    this.refusePromises();
    this.#paused = true;
    const s = this.session;
    s.markReady(this, false);
    // what the transfer will not take opens the connection's window again
    if (this.bodyBytes > 0) s.consumed(this, this.bodyBytes);
    this.#body = [];
    this.#openBuf = null;
    this.#heads = [];
    this.bodyBytes = 0;
    this.sendQueue = [];
    this.sendQueued = 0;
    s.abandon(this);
  }

  /** The stream is closed (both ends, or reset). */
  get finished(): boolean {
    return this.closed;
  }

  /** the transfer let go of the stream (close()) */
  get abandoned(): boolean {
    return this.#abandoned;
  }

  /** @internal a PUSH_PROMISE arrived on this stream */
  promised(p: PushPromise): void {
    this.#promises.push(p);
    this.#changed();
  }

  /** @internal the next PUSH_PROMISE to offer */
  takePromise(): PushPromise | undefined {
    const p = this.#promises.shift();
    if (p !== undefined) this.#changed();
    return p;
  }

  get hasPromises(): boolean {
    return this.#promises.length > 0;
  }

  /** @internal refuse every promise still queued (the stream's transfer is gone) */
  refusePromises(): void {
    for (const p of this.#promises.splice(0)) p.stream.close();
  }
}
