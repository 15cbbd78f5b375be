// The Duplex that ssh2's Client gets as its `sock`: the connection's own
// transport (through whatever filter chain made it: SOCKS, an HTTP tunnel),
// fed only from inside the library.
//
// What ssh2 does with its sock (ssh2 1.17, lib/client.js): it pause()s it,
// then, once a promise of its crypto setup resolves (a microtask later),
// adds a 'data' listener that parses synchronously and resume()s it. It
// writes with write() from inside its parsing (and from the microtask and
// from process.nextTick when it moves to the next authentication method).
// Node's Readable hands a push() to the 'data' listeners synchronously when
// the stream flows and holds nothing, so feed() below is a synchronous call
// into ssh2's parser: every reply, callback and error it produces for those
// bytes has happened when feed() returns. The library thus reads the socket
// only in step() (inside socketAction()/perform()), as the engine requires;
// `listening` says when a push would not be delivered at once (before
// ssh2's microtask ran), and then the bytes simply stay in the transport.
// Writes go straight to the transport's non-blocking send(); the Duplex
// never ends or destroys the transport: the engine owns it.
import { Duplex } from 'node:stream';
import type { StreamTransport } from '../../transport/stream-transport.js';

export class TransportDuplex extends Duplex {
  readonly #transport: StreamTransport;

  constructor(transport: StreamTransport) {
    super({ allowHalfOpen: true });
    this.#transport = transport;
  }

  override _read(): void {
    // bytes come from feed(), called by the request's step()
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const r = this.#transport.send(chunk);
    cb(r.ok ? null : r.error);
  }

  override _final(cb: (err?: Error | null) => void): void {
    // ssh2 ends its sock when it is done: the connection is the engine's to close
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    cb(err);
  }

  /** ssh2 reads what is pushed now, synchronously. */
  get listening(): boolean {
    return this.readableFlowing === true && this.readableLength === 0 && this.listenerCount('data') > 0;
  }

  /** Hand received bytes to ssh2 (parsed before this returns when `listening`). */
  feed(data: Buffer): void {
    this.push(data);
  }

  /** The server closed the connection. */
  feedEnd(): void {
    this.push(null);
  }
}
