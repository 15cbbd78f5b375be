// A Transport over a Node stream socket (net.Socket; tls.TLSSocket is one too),
// giving curl's recv(): 'again' when nothing is buffered, and send() where
// write() returning false means "poll OUT until 'drain'".
//
// Two receive paths. A plain TCP socket opened with a ReceiveQueue's `onread`
// (recv-queue.ts) reads into a shared buffer and queues the bytes in recycled
// slabs: no allocation per chunk, and recv() returns views that are only valid
// until control returns to the event loop (`volatileRecv`). A TLS layer put
// on top by upgrade() reads the same way when Node lets us give it the buffer
// (user-buffer.ts). Any other socket runs in flowing mode into a
// list of the Buffers Node made (each one our own), paused past HIGH_WATER
// bytes: cheaper than paused mode's 'readable' (a nextTick per chunk) plus
// read() (howMuchToRead, fromList) per chunk.
import type { Socket } from 'node:net';
import { Transport } from './transport.js';
import { CURL_CSELECT } from '../constants.js';
import { HIGH_WATER, type ReceiveQueue } from './recv-queue.js';
import { readIntoQueue } from './user-buffer.js';
import { TlsBridge } from './tls-bridge.js';

export type RecvResult =
  | { kind: 'data'; data: Buffer }
  | { kind: 'again' }
  | { kind: 'eof' }
  /** code/message: a layer above the socket (an HTTP/2 stream) names its own failure; retry: it may go again elsewhere */
  | { kind: 'error'; error: Error; code?: number; message?: string; retry?: boolean };

// Sends made during one JavaScript turn go out together at its end (see send()).
// Why: an application loop answering socket events one socketAction() at a time
// (hiperfifo) starts the next transfer inside the previous one's call, so without
// this every request's write(2) would sit between two responses' JavaScript:
// each write then wakes an idle server on its own, and the answers trickle in
// over more event-loop turns. Held, the turn's requests leave in a row after its
// JavaScript ran (process.nextTick: before control returns to the event loop, so
// no byte waits for I/O), as perform() sends them. The bytes and their order per
// socket are the same; only the moment within the turn moves. (Node's own
// cork()/uncork() does the same at a higher price per write.)
const holding: StreamTransport[] = [];
let flushScheduled = false;
function flushAll(): void {
  flushScheduled = false;
  for (let i = 0; i < holding.length; i++) holding[i]!.flushHeld();
  holding.length = 0;
  for (let i = 0; i < idling.length; i++) idling[i]!.applyIdle();
  idling.length = 0;
}
function scheduleFlush(): void {
  if (!flushScheduled) {
    flushScheduled = true;
    process.nextTick(flushAll);
  }
}
// Transports whose setIdle() changed during this turn (see setIdle()).
const idling: StreamTransport[] = [];
/** A send of more than this goes to the socket at once. */
const HOLD_MAX = 16 * 1024;
const SENT = { ok: true } as const;
// recv()'s answers without data, shared
const AGAIN: RecvResult = Object.freeze({ kind: 'again' });
const EOF: RecvResult = Object.freeze({ kind: 'eof' });

/** The listeners a StreamTransport puts on its socket (removed again when a layer goes on top). */
interface SocketListeners {
  data: ((d: Buffer) => void) | null;
  connectEvent: string;
  connect: (() => void) | null;
  drain: () => void;
  end: () => void;
  error: (err: Error) => void;
  close: () => void;
}

export class StreamTransport extends Transport {
  /** bytes of a send() held until the end of the turn */
  #held: Buffer | string | null = null;
  /** setIdle(): what was asked, and whether the socket is ref'ed now */
  #idle = false;
  #unrefed = false;
  #idleQueued = false;
  socket: Socket;
  #connected: boolean;
  /** flowing mode: chunks received and not taken yet */
  #chunks: Buffer[] = [];
  #chunkBytes = 0;
  /** flowing mode: paused because #chunkBytes reached HIGH_WATER */
  #flowPaused = false;
  #needDrain = false;
  #eof = false;
  #error: Error | null = null;
  /** bytes put back by the reader (unshift semantics without touching Node's buffer) */
  #pending: Buffer | null = null;
  /** a layer above (an HTTP/2 session) holds received events for transfers: the socket counts as readable */
  #upperPending = false;
  /** sockets this one was layered over (TCP under TLS): closed with it */
  #below: Socket[] = [];
  /** the socket reads through net's `onread` into this queue (null: paused-mode reads) */
  #rq: ReceiveQueue | null = null;
  /** the listeners on the current socket */
  #on: SocketListeners | null = null;
  /** the layer on top reads the socket below through this bridge, and can be taken off (downgrade()) */
  #bridge: TlsBridge | null = null;

  /**
   * @param connected true when the socket is already connected (e.g. a TLS
   * socket layered on a connected transport) — readiness then starts as OUT.
   * @param connectEvent the event that means "connected" ('connect' or 'secureConnect').
   * @param rq the queue whose `onread` the socket was created with, if any.
   */
  constructor(socket: Socket, connected = false, connectEvent = 'connect', rq: ReceiveQueue | null = null) {
    super();
    this.socket = socket;
    this.#connected = connected;
    if (rq) this.#useQueue(rq);
    this.#attach(socket, connected, connectEvent);
  }

  #useQueue(rq: ReceiveQueue): void {
    this.#rq = rq;
    rq.owner = this;
  }

  /** @internal ReceiveQueueOwner: readiness changes only when the queue turns non-empty; it stays IN while bytes are queued */
  queueData(): void {
    if (this.closed) this.#lingerDone();
    else this.notify();
  }

  /** at close, wait this long for the server's answer to a goodbye (lingerOnClose()); 0: close at once */
  #lingerMs = 0;
  #lingerTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * The protocol said goodbye (FTP's and SMTP's QUIT...): close() keeps the
   * socket until the server answers, closes, or `ms` pass, as libcurl reads
   * the answer to its QUIT before it closes. Closed at once, the process
   * could end (the command-line tool) before the server took the QUIT in,
   * and bytes still unread at the close make the kernel reset the
   * connection, which may lose it.
   */
  lingerOnClose(ms: number): void {
    this.#lingerMs = ms;
  }

  /** The server answered the goodbye, closed, or took too long: the socket goes. */
  #lingerDone(): void {
    if (this.#lingerTimer !== null) clearTimeout(this.#lingerTimer);
    this.#lingerTimer = null;
    this.#rq?.clear();
    this.socket.destroy();
  }

  #linger(): void {
    const socket = this.socket;
    // an idle pooled socket does not keep the process alive: this wait must
    socket.ref();
    this.#lingerTimer = setTimeout(() => this.#lingerDone(), this.#lingerMs);
    // paused-mode reads: the first bytes are the answer; `onread` reads say so through queueData()
    socket.on('data', () => this.#lingerDone());
    socket.once('end', () => this.#lingerDone());
    socket.once('close', () => this.#lingerDone());
    // (no FIN yet: a server that closes when it reads one, as Node's do by default, would not answer)
    socket.resume();
  }

  /** @internal ReceiveQueueOwner */
  queueResume(): void {
    if (!this.closed && !this.socket.destroyed) this.socket.resume();
  }

  /**
   * Whether recv() returns views of reused memory: valid until control
   * returns to the event loop, so whoever keeps received bytes longer copies them.
   */
  get volatileRecv(): boolean {
    return this.#rq !== null;
  }

  /** a layer (TLS) over the socket: its bytes come a record at a time, the records of one read of the socket below together */
  override get readsInBursts(): boolean {
    return this.#below.length > 0;
  }

  /** Received bytes waiting to be read (put-back bytes included). */
  get buffered(): number {
    return (this.#pending?.length ?? 0) + (this.#rq ? this.#rq.length : this.#chunkBytes + this.socket.readableLength);
  }

  /**
   * Layer a new stream over this one (TLS over TCP) keeping the curl_socket_t
   * number, as libcurl's filters keep the one file descriptor: the
   * application's watchers and assignments stay valid. The new socket owns
   * the old one from now on; readiness starts over until `connectEvent`.
   */
  upgrade(socket: Socket, connectEvent: string): void {
    this.flushHeld(); // bytes sent on the old layer go out before the new one takes over
    const old = this.socket;
    this.#below.push(old);
    // only our own listeners go: over a stream that is not a net.Socket (a Duplex
    // of any kind), node:tls reads the one below through listeners of its own
    this.#detach(old);
    old.on('error', () => {}); // the TLS layer reports errors of the socket below
    this.socket = socket;
    // the new layer reads the socket below itself (node:tls takes over its handle); its own
    // output goes through a queue of its own when Node lets us (user-buffer.ts), else flowing mode
    this.#rq?.clear();
    this.#rq = null;
    const rq = readIntoQueue(socket);
    if (rq) this.#useQueue(rq);
    this.#connected = false;
    this.#chunks = [];
    this.#chunkBytes = 0;
    this.#flowPaused = false;
    this.#needDrain = false;
    this.#eof = false;
    this.#error = null;
    this.#attach(socket, false, connectEvent);
    if (this.#unrefed) {
      // the new layer starts ref'ed: apply setIdle()'s last word to it
      this.#unrefed = false;
      this.setIdle(this.#idle);
    }
  }

  /**
   * upgrade() with a layer that can be taken off again (downgrade(): FTPS's
   * CCC): `open` makes the new layer over a Duplex bridged to the current
   * socket (tls-bridge.ts) instead of over the socket itself. Returns the new
   * layer; when `open` throws, nothing changed.
   */
  upgradeBridged(open: (below: TlsBridge) => Socket, connectEvent: string): Socket {
    this.flushHeld(); // bytes sent on the old layer go out before the new one's first
    const bridge = new TlsBridge(this.socket);
    let upper: Socket;
    try {
      upper = open(bridge);
    } catch (err) {
      bridge.destroy();
      throw err;
    }
    bridge.setUpper(upper);
    // the socket's queue goes to the bridge, which reads the socket from now on
    const rq = this.#rq;
    this.#rq = null;
    this.upgrade(upper, connectEvent);
    this.#bridge = bridge;
    bridge.start(rq);
    return upper;
  }

  /** The bridge below the top layer when it was put on with upgradeBridged(). */
  get bridge(): TlsBridge | null {
    return this.#bridge;
  }

  /**
   * Take off the layer upgradeBridged() put on: the socket below is read and
   * written again, the same curl_socket_t, with the raw bytes that came after
   * the layer's end first. What the layer had decrypted and nobody read is
   * dropped (the caller made sure there is none).
   */
  downgrade(): void {
    const bridge = this.#bridge;
    if (bridge === null) return;
    this.#bridge = null;
    this.flushHeld();
    const upper = this.socket;
    this.#detach(upper);
    this.#rq?.clear();
    this.#rq = null;
    const below = bridge.release();
    upper.on('error', () => {});
    upper.destroy(); // the layer goes without a word more on the wire: its shutdown is done
    this.#below.pop();
    this.socket = below.socket;
    if (below.rq) this.#useQueue(below.rq);
    this.#chunks = [];
    this.#chunkBytes = 0;
    this.#flowPaused = false;
    this.#needDrain = false;
    this.#pending = below.leftover;
    this.#eof = below.eof;
    this.#error = below.error;
    this.#connected = true;
    this.#attach(below.socket, true, 'connect');
    if (this.#unrefed) {
      this.#unrefed = false;
      this.setIdle(this.#idle);
    }
    this.notify();
  }

  #attach(socket: Socket, connected: boolean, connectEvent: string): void {
    const on: SocketListeners = {
      data: null,
      connectEvent,
      connect: null,
      drain: () => {
        this.#needDrain = false;
        this.notify();
      },
      end: () => {
        this.#eof = true;
        this.notify();
      },
      error: (err: Error) => {
        this.#error ??= err;
        this.notify();
      },
      close: () => {
        this.#eof = true;
        this.notify();
      },
    };
    if (!this.#rq) {
      on.data = (d: Buffer) => {
        const wasEmpty = this.#chunkBytes === 0;
        this.#chunks.push(d);
        this.#chunkBytes += d.length;
        if (this.#chunkBytes >= HIGH_WATER && !this.#flowPaused) {
          // the application stopped reading: let TCP push back on the server
          this.#flowPaused = true;
          socket.pause();
        }
        if (wasEmpty) this.notify();
      };
      socket.on('data', on.data);
    }
    if (!connected) {
      on.connect = () => {
        this.#connected = true;
        this.notify();
      };
      socket.once(connectEvent, on.connect);
    }
    socket.on('drain', on.drain);
    socket.on('end', on.end);
    socket.on('error', on.error);
    socket.on('close', on.close);
    this.#on = on;
  }

  /** Remove the listeners #attach() put on `socket`. */
  #detach(socket: Socket): void {
    const on = this.#on;
    if (on === null) return;
    this.#on = null;
    if (on.data) socket.removeListener('data', on.data);
    if (on.connect) socket.removeListener(on.connectEvent, on.connect);
    socket.removeListener('drain', on.drain);
    socket.removeListener('end', on.end);
    socket.removeListener('error', on.error);
    socket.removeListener('close', on.close);
  }

  get connected(): boolean {
    return this.#connected;
  }
  get error(): Error | null {
    return this.#error;
  }
  get eof(): boolean {
    return this.#eof;
  }

  readiness(): number {
    if (this.closed) return CURL_CSELECT.IN | CURL_CSELECT.OUT;
    let r = 0;
    if (this.#error) return CURL_CSELECT.IN | CURL_CSELECT.OUT | CURL_CSELECT.ERR;
    if (this.#upperPending || this.#chunkBytes > 0 || this.#eof || this.#pending || (this.#rq !== null && this.#rq.length > 0)) {
      r |= CURL_CSELECT.IN;
    }
    if (this.#connected && !this.#needDrain) r |= CURL_CSELECT.OUT;
    // a connect (or handshake) that ended in EOF is "writable" to poll(), as a failed connect() is
    if (this.#eof && !this.#connected) r |= CURL_CSELECT.OUT;
    return r;
  }

  /**
   * An HTTP/2 session on this socket has (or no longer has) decoded events
   * waiting for their transfers, which run from socketAction() on this
   * socket: IN readiness says so, as curl's filters report data they hold.
   */
  setUpperPending(pending: boolean): void {
    if (pending === this.#upperPending) return;
    this.#upperPending = pending;
    if (pending) this.notify();
  }

  /**
   * Non-blocking receive. Never throws. With `volatileRecv` the data is a
   * view of reused memory, valid until control returns to the event loop.
   * 'again' and 'eof' are shared objects: a receive loop that finds nothing
   * makes no garbage.
   */
  recv(): RecvResult {
    if (this.#pending) {
      const data = this.#pending;
      this.#pending = null;
      return this.#data(data);
    }
    if (this.closed) return { kind: 'error', error: new Error('socket closed') };
    if (this.#rq) {
      // queued bytes come before a pending EOF or error, in arrival order
      const data = this.#rq.take();
      if (data !== null) return this.#data(data);
      if (this.#error) return { kind: 'error', error: this.#error };
      if (this.#eof || this.socket.readableEnded) return EOF;
      return AGAIN;
    }
    if (this.#chunks.length > 0) {
      const data = this.#chunks.shift()!;
      this.#chunkBytes -= data.length;
      if (this.#flowPaused && this.#chunkBytes < HIGH_WATER) {
        this.#flowPaused = false;
        this.socket.resume();
      }
      return this.#data(data);
    }
    if (this.#error) return { kind: 'error', error: this.#error };
    if (this.#eof || this.socket.readableEnded) return EOF;
    return AGAIN;
  }

  #data(data: Buffer): RecvResult {
    // a new object each time: one kept by the transport would keep the last
    // chunk (and the memory behind it) alive for as long as the connection idles
    return { kind: 'data', data };
  }

  /** Put bytes back to be returned first by the next recv() (copied: they may be a volatile view). */
  unrecv(data: Buffer): void {
    if (data.length === 0) return;
    this.#pending = this.#pending ? Buffer.concat([data, this.#pending]) : Buffer.from(data);
  }

  /**
   * Non-blocking send: Node always takes the bytes; when its buffer is over the
   * high-water mark we stop being OUT-ready until 'drain'. A small send is
   * held until the end of the JavaScript turn (see `holding` above), one at a
   * time: a later send writes the held bytes first. A large one (an upload)
   * goes to the socket as directly as before.
   */
  send(data: Buffer | string): { ok: true } | { ok: false; error: Error } {
    if (this.#error) return { ok: false, error: this.#error };
    if (this.closed || this.socket.destroyed || this.socket.writableEnded) {
      return { ok: false, error: new Error('socket closed') };
    }
    if (this.#held !== null) this.flushHeld();
    if (data.length <= HOLD_MAX) {
      this.#held = data;
      holding.push(this);
      scheduleFlush();
    } else if (!this.socket.write(data)) this.#needDrain = true;
    return SENT;
  }

  /** @internal write out what send() held */
  flushHeld(): void {
    const data = this.#held;
    if (data === null) return;
    this.#held = null;
    if (!this.socket.write(data)) this.#needDrain = true;
  }

  /**
   * An idle pooled connection must not keep the process alive; one in use
   * must. Applied at the end of the JavaScript turn (before control returns
   * to the event loop), so a keep-alive connection released by one transfer
   * and taken by the next within the turn costs no unref()/ref() pair (on a
   * TLS socket each goes through node:tls's handle proxy to libuv).
   */
  setIdle(idle: boolean): void {
    this.#idle = idle;
    if (this.#idleQueued || idle === this.#unrefed) return;
    this.#idleQueued = true;
    idling.push(this);
    scheduleFlush();
  }

  /** @internal make the socket's ref state what setIdle() last asked for */
  applyIdle(): void {
    this.#idleQueued = false;
    if (this.#idle === this.#unrefed || this.closed) return;
    this.#unrefed = this.#idle;
    // under a bridged layer the raw socket is a socket of its own: it keeps the process alive too
    const raw = this.#bridge !== null ? this.#below[this.#below.length - 1] : undefined;
    if (this.#idle) {
      this.socket.unref();
      raw?.unref();
    } else {
      this.socket.ref();
      raw?.ref();
    }
  }

  get writeBlocked(): boolean {
    return this.#needDrain;
  }

  /**
   * Whether an idle connection is still usable: libcurl's conn_is_alive — an
   * idle connection that turned readable (data or EOF) is dead. With
   * `inputOk` (RTSP's interleaved RTP keeps arriving between requests, as
   * libcurl's rtsp_conncheck allows) only EOF or an error is.
   */
  isAliveWhileIdle(inputOk = false): boolean {
    return !this.closed && !this.#error && !this.#eof && !this.socket.destroyed &&
      (inputOk || (!this.#pending && this.buffered === 0));
  }

  protected closeResources(): void {
    this.flushHeld(); // bytes sent before the close go out first, as they would have unheld
    this.#rq?.clear();
    this.socket.removeAllListeners('data');
    this.#chunks = [];
    this.#chunkBytes = 0;
    this.socket.on('error', () => {}); // late errors after destroy must not crash the process
    if (this.#lingerMs > 0 && this.#below.length === 0 && !this.socket.destroyed && !this.#eof && !this.#error) {
      this.#linger();
      return;
    }
    this.socket.destroy();
    // node:tls does not always take the socket below down with it (a handshake that failed early)
    for (const s of this.#below) s.destroy();
  }
}
