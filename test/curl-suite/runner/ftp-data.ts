// The FTP test server's data connection, as ftpserver.pl runs it with its
// second sockfilt process (its datasockf_state): PASV/EPSV listen on a new
// port and wait (at most 2 s, 20 s when the data is slowed down) for the
// client to connect before the next command is read; PORT/EPRT connect to
// the client's address at once. With NODATACONN the passive port is one that
// nobody listens on (sockfilt --bindonly: the client's connect is refused)
// and the active connection is never made. A transfer ends with the server
// closing the data connection before it sends its final reply.

import net from 'node:net';
import { ByteQueue } from './byte-queue.js';

export type DataState = 'STOPPED' | 'PASSIVE' | 'ACTIVE' | 'PASSIVE_NODATACONN' | 'ACTIVE_NODATACONN';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A port with no listener on `host`: bound once by the kernel, then let go. */
function unusedPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export class DataChannel {
  state: DataState = 'STOPPED';
  #sock: net.Socket | undefined;
  #input: ByteQueue | undefined;
  #listener: net.Server | undefined;

  get connected(): boolean {
    return this.state === 'PASSIVE' || this.state === 'ACTIVE';
  }

  /** Drops whatever data connection or listener there is (a new PASV/PORT, the control connection gone). */
  kill(): void {
    this.#listener?.close(() => {});
    this.#listener = undefined;
    this.#sock?.destroy();
    this.#sock = undefined;
    this.#input = undefined;
    this.state = 'STOPPED';
  }

  #adopt(sock: net.Socket, state: DataState): void {
    sock.setNoDelay(true);
    sock.on('error', () => {});
    this.#sock = sock;
    this.#input = ByteQueue.of(sock);
    this.state = state;
  }

  /**
   * PASV/EPSV: a listener on `host`; `announce` sends the 227/229 reply with
   * its port; then waits for the client's connection, at most `waitMs`, or
   * until `gone` says the control connection went away.
   */
  async listen(host: string, noDataConn: boolean, waitMs: number, announce: (port: number) => Promise<void>, gone: () => boolean): Promise<void> {
    this.kill();
    if (noDataConn) {
      await announce(await unusedPort(host));
      this.state = 'PASSIVE_NODATACONN';
      return;
    }
    const server = net.createServer();
    this.#listener = server;
    let accepted: net.Socket | undefined;
    server.on('connection', (s) => {
      // sockfilt serves one data connection: later ones are not taken
      if (accepted) s.destroy();
      else accepted = s;
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve((server.address() as net.AddressInfo).port));
    });
    await announce(port);
    for (let waited = 0; !accepted && waited < waitMs && !gone() && this.#listener === server; waited += 10) await sleep(10);
    if (this.#listener === server) server.close(() => {});
    if (this.#listener === server) this.#listener = undefined;
    if (accepted && !accepted.destroyed) this.#adopt(accepted, 'PASSIVE');
    else this.state = 'STOPPED';
  }

  /** PORT/EPRT: connect to the client (bounded), or with NODATACONN only pretend to. */
  async connect(host: string, port: number, noDataConn: boolean): Promise<void> {
    this.kill();
    if (noDataConn) {
      this.state = 'ACTIVE_NODATACONN';
      return;
    }
    const sock = await new Promise<net.Socket | undefined>((resolve) => {
      const s = net.connect({ host, port });
      const timer = setTimeout(() => {
        s.destroy();
        resolve(undefined);
      }, 5000);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', () => {
        clearTimeout(timer);
        s.destroy();
        resolve(undefined);
      });
    });
    if (sock) this.#adopt(sock, 'ACTIVE');
    else this.state = 'STOPPED';
  }

  /** Sends on the data connection, byte by byte `delayMs` apart when slowed down. */
  async send(data: Buffer, delayMs: number): Promise<void> {
    const sock = this.#sock;
    if (!sock || !this.connected) return;
    if (!delayMs) {
      if (!sock.write(data)) await drained(sock);
      return;
    }
    for (let i = 0; i < data.length && !sock.destroyed; i++) {
      sock.write(data.subarray(i, i + 1));
      await sleep(delayMs);
    }
  }

  /** Next chunk of an upload, null once the client has closed the data connection. */
  read(): Promise<Buffer | null> {
    return this.#input ? this.#input.read() : Promise.resolve(null);
  }

  /** The server's side of ending a transfer: close, after what was written is on its way. */
  async close(): Promise<void> {
    const sock = this.#sock;
    if (sock && !sock.destroyed) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(done, 5000);
        sock.once('close', done);
        sock.end(done);
      });
    }
    this.kill();
  }
}

function drained(sock: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      sock.off('drain', done);
      sock.off('close', done);
      resolve();
    };
    sock.on('drain', done);
    sock.on('close', done);
  });
}
