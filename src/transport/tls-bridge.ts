// The socket below a TLS layer that can be taken off again: FTPS's CCC
// (Clear Command Channel), after which the control connection goes on in
// the clear on the same TCP connection.
//
// Why: node:tls over a net.Socket takes over the socket's handle in C++ and
// never gives it back, and what it read past the TLS layer's end (the
// server's next reply, sent in the clear right after its close_notify) would
// be lost inside OpenSSL's input buffer. Over a JS Duplex (tls.connect({
// socket: duplex }): Node then drives the TLS layer through a
// JSStreamSocket), the bytes reach the TLS layer only when we push them.
//
// Theory of operation. The bridge reads the raw socket (through the
// transport's ReceiveQueue when it has one, else its 'data' events) into a
// buffer of its own and pushes whole TLS records to the TLS layer, one
// record at a time and only while the layer listens ('data' handed over
// synchronously: JSStreamSocket reads us in flowing mode and node:tls
// decrypts a pushed record before push() returns). After each record it
// asks whether the TLS layer ended: a close_notify ends it while the raw
// socket is still open. From then on nothing more is pushed; release() hands
// the raw socket and the bytes after the close_notify back to the
// transport, which reads the raw socket again (StreamTransport.downgrade()).
// What the TLS layer writes goes straight to the raw socket; its shutdown
// (the close_notify of ours) does not end the raw socket: the connection
// goes on. Like node:tls over a TCP socket, the bridge reads in Node's
// callbacks; the decrypted bytes are the transport's, taken by recv()
// inside library calls only.
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { HIGH_WATER, type ReceiveQueue, type ReceiveQueueOwner } from './recv-queue.js';

/** The biggest TLS record there is: 2^14 bytes of data plus 2048 of expansion (TLS 1.2; 1.3 allows less). */
const MAX_RECORD = 16384 + 2048;
const HEADER = 5;

/** What release() gives back to the transport. */
export interface BridgeRelease {
  socket: Socket;
  rq: ReceiveQueue | null;
  /** raw bytes after the TLS layer's end, not pushed to it */
  leftover: Buffer | null;
  eof: boolean;
  error: Error | null;
}

export class TlsBridge extends Duplex implements ReceiveQueueOwner {
  readonly #socket: Socket;
  #rq: ReceiveQueue | null = null;
  /** the TLS layer over the bridge, asked after each record whether it ended */
  #upper: Socket | null = null;
  /** raw bytes read and not pushed yet (owned copies) */
  #raw: Buffer = Buffer.alloc(0);
  #reading = false;
  #released = false;
  #pumping = false;
  #rawEof = false;
  #rawError: Error | null = null;
  /** the end of the raw stream was pushed to the TLS layer */
  #pushedEnd = false;
  /** the raw socket (read through 'data') was paused: the TLS layer does not take what we hold */
  #paused = false;
  readonly #onData = (d: Buffer): void => {
    this.#raw = this.#raw.length === 0 ? d : Buffer.concat([this.#raw, d]);
    if (this.#raw.length >= HIGH_WATER && !this.#paused) {
      this.#paused = true;
      this.#socket.pause();
    }
    this.#pump();
  };
  readonly #onEnd = (): void => {
    this.#rawEof = true;
    this.#pump();
  };
  readonly #onError = (err: Error): void => {
    this.#rawError ??= err;
    this.#rawEof = true;
    this.#pump();
  };

  constructor(socket: Socket) {
    // the TLS layer takes allowHalfOpen from the stream below it: its end (the peer's close_notify)
    // must not make it send a close_notify of its own (CCC's passive mode answers none)
    super({ allowHalfOpen: true });
    this.#socket = socket;
  }

  /** The TLS layer made over this bridge. */
  setUpper(upper: Socket): void {
    this.#upper = upper;
  }

  /** Start reading the raw socket (its listeners are ours now), through `rq` when it was made with one. */
  start(rq: ReceiveQueue | null): void {
    if (this.#reading || this.#released) return;
    this.#reading = true;
    const s = this.#socket;
    if (rq) {
      this.#rq = rq;
      rq.owner = this;
    } else s.on('data', this.#onData);
    s.on('end', this.#onEnd);
    s.on('close', this.#onEnd);
    s.on('error', this.#onError);
    if (rq && rq.length > 0) this.queueData();
  }

  /** The TLS layer read its end before the raw socket's: the peer's close_notify arrived. */
  get closeNotified(): boolean {
    return this.#upperReadEnd() && !this.#pushedEnd;
  }

  /** The raw socket ended or failed. */
  get rawEnded(): boolean {
    return this.#rawEof;
  }

  /** The raw socket's failure, if it failed. */
  get rawError(): Error | null {
    return this.#rawError;
  }

  /** @internal ReceiveQueueOwner */
  queueData(): void {
    this.#pump();
  }

  /** @internal ReceiveQueueOwner */
  queueResume(): void {
    if (!this.#socket.destroyed) this.#socket.resume();
  }

  override _read(): void {
    // the TLS layer listens again (JSStreamSocket resumed us)
    this.#pump();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.#released || this.#socket.destroyed) return cb(new Error('socket closed'));
    this.#socket.write(chunk, (err) => cb(err ?? null));
  }

  override _final(cb: (err?: Error | null) => void): void {
    // the TLS layer shut down (its close_notify went out through _write): the raw socket goes on
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.#detach();
    cb(err);
  }

  /**
   * Give the raw socket back (the TLS layer is done with it): its listeners
   * go, the ReceiveQueue is the caller's again, and the raw bytes not pushed
   * come along (first in line for the next reader).
   */
  release(): BridgeRelease {
    this.#detach();
    this.#released = true;
    const rq = this.#rq;
    this.#rq = null;
    // bytes still in the queue are behind the ones taken from it
    const leftover = this.#raw.length > 0 ? this.#raw : null;
    this.#raw = Buffer.alloc(0);
    if (this.#paused && !this.#socket.destroyed) this.#socket.resume();
    this.#paused = false;
    return { socket: this.#socket, rq, leftover, eof: this.#rawEof, error: this.#rawError };
  }

  #detach(): void {
    if (!this.#reading) return;
    this.#reading = false;
    const s = this.#socket;
    if (this.#rq) this.#rq.owner = null;
    else if (!this.#paused && !s.destroyed) {
      // a flowing socket without a 'data' listener drops what it reads: it waits, paused, for its next reader
      this.#paused = true;
      s.pause();
    }
    s.removeListener('data', this.#onData);
    s.removeListener('end', this.#onEnd);
    s.removeListener('close', this.#onEnd);
    s.removeListener('error', this.#onError);
  }

  /** The TLS layer read its end (a close_notify, or the end we pushed). */
  #upperReadEnd(): boolean {
    // set by push(null), synchronously, when the TLS layer reads its end ('end' comes a tick later)
    const rs = (this.#upper as unknown as { _readableState?: { ended?: boolean } } | null)?._readableState;
    return rs?.ended === true;
  }

  /** The TLS layer takes nothing more: it read its end, or failed. */
  #upperEnded(): boolean {
    return this.#upperReadEnd() || this.#upper?.destroyed === true;
  }

  /** The TLS layer takes what is pushed now, synchronously. */
  #listening(): boolean {
    return this.readableFlowing === true && this.readableLength === 0 && this.listenerCount('data') > 0 && !this.destroyed;
  }

  /** Push whole records while the TLS layer listens and has not ended. */
  #pump(): void {
    if (this.#pumping || this.#released) return;
    this.#pumping = true;
    try {
      // bounded: each pass pushes one record out of #raw, or takes one segment from the queue
      for (;;) {
        if (this.#upperEnded() || this.#pushedEnd || !this.#listening()) return;
        const n = this.#recordLength();
        if (n > 0) {
          const record = this.#raw.subarray(0, n);
          this.#raw = this.#raw.subarray(n);
          if (this.#raw.length === 0) this.#raw = Buffer.alloc(0);
          if (this.#paused && this.#raw.length < HIGH_WATER) {
            this.#paused = false;
            this.#socket.resume();
          }
          this.push(record);
          continue;
        }
        if (this.#rq !== null && this.#rq.length > 0 && this.#raw.length < HIGH_WATER) {
          // copied: the queue's bytes are views of reused memory
          const d = Buffer.from(this.#rq.take()!);
          this.#raw = this.#raw.length === 0 ? d : Buffer.concat([this.#raw, d]);
          continue;
        }
        if (this.#rawEof) {
          // a record cut short by the end goes as it is: the TLS layer says what it makes of it
          if (this.#raw.length > 0) this.push(this.#raw);
          this.#raw = Buffer.alloc(0);
          this.#pushedEnd = true;
          this.push(null);
        }
        return;
      }
    } finally {
      this.#pumping = false;
    }
  }

  /**
   * The length of the complete record at the front of #raw, 0 when it is
   * not all there yet. Bytes that are no TLS record (a peer that does not
   * speak TLS) go to the TLS layer as they are, which fails on them.
   */
  #recordLength(): number {
    const raw = this.#raw;
    if (raw.length < HEADER) return 0;
    const type = raw[0]!;
    const len = raw.readUInt16BE(3);
    if (type < 20 || type > 24 || raw[1] !== 3 || len > MAX_RECORD) return raw.length;
    return raw.length >= HEADER + len ? HEADER + len : 0;
  }
}
