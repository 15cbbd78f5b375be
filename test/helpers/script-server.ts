// A raw TCP (or TLS) test server for the line protocols (DICT, GOPHER,
// TELNET, RTSP...): each connection runs a script the test writes, which
// waits for the bytes it expects and answers exact bytes. It records what
// every connection received and knows how many are still open, so a test can
// check that the client freed its connection after an error.
//
// No timers: a wait ends when its bytes arrived or the connection closed.
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';

export class ScriptConn {
  readonly socket: Socket;
  #chunks: Buffer[] = [];
  #closed = false;
  #waiters: Array<() => void> = [];

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.#chunks.push(d);
      this.#wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** Everything the client sent so far. */
  received(): Buffer {
    return Buffer.concat(this.#chunks);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Resolves true once `pred` holds for what arrived, false when the connection closed first. */
  async waitFor(pred: (got: Buffer) => boolean): Promise<boolean> {
    // bounded: every turn needs a new event (data or close), and close ends it
    for (;;) {
      if (pred(this.received())) return true;
      if (this.#closed) return false;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Resolves once the text (latin1) arrived; false when the connection closed first. */
  waitForText(text: string): Promise<boolean> {
    return this.waitFor((b) => b.toString('latin1').includes(text));
  }

  /** Resolves when the client closed (or the connection went away). */
  async waitClosed(): Promise<void> {
    await this.waitFor(() => false);
  }

  write(data: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Send, then close our side. */
  end(data?: string | Buffer): void {
    if (this.socket.destroyed) return;
    if (data !== undefined) this.socket.end(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
    else this.socket.end();
  }

  /** A hard close (TCP RST). */
  reset(): void {
    this.socket.resetAndDestroy();
  }

  /**
   * Write `total` bytes of `unit` repeated, as fast as the client reads them
   * (bounded: stops at `total` or when the connection goes away).
   */
  async flood(unit: string, total: number): Promise<void> {
    const chunk = Buffer.from(unit.repeat(Math.max(1, Math.floor(65536 / unit.length))), 'latin1');
    let sent = 0;
    while (sent < total && !this.#closed && !this.socket.destroyed) {
      const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
      sent += piece.length;
      if (!this.socket.write(piece)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            this.socket.off('drain', done);
            this.socket.off('close', done);
            resolve();
          };
          this.socket.once('drain', done);
          this.socket.once('close', done);
        });
      }
    }
  }
}

export interface ScriptServer {
  port: number;
  /** every connection so far, in order */
  conns: ScriptConn[];
  /** connections not closed yet */
  openCount(): number;
  /** Resolves when every connection so far has closed. */
  allClosed(): Promise<void>;
  close(): Promise<void>;
}

export interface ScriptServerOptions {
  /** speak TLS with this key and certificate */
  tls?: { key: Buffer; cert: Buffer };
}

/** Start a server on 127.0.0.1 that runs `script` for every connection. */
export async function startScriptServer(script: (c: ScriptConn) => void | Promise<void>, opts: ScriptServerOptions = {}): Promise<ScriptServer> {
  const conns: ScriptConn[] = [];
  const sockets = new Set<Socket>();
  const onSocket = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    const c = new ScriptConn(s);
    conns.push(c);
    Promise.resolve()
      .then(() => script(c))
      .catch(() => s.destroy());
  };
  const server: Server = opts.tls
    ? createTlsServer({ key: opts.tls.key, cert: opts.tls.cert }, onSocket)
    : createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    conns,
    openCount: () => conns.filter((c) => !c.closed).length,
    allClosed: async () => {
      for (const c of [...conns]) await c.waitClosed();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
