// A loopback TCP listener that hands each connection, one after the other
// (the python test servers' socketserver.TCPServer serves one at a time), to
// an async handler with a queue of what the client sent; the connection is
// closed when the handler is done.

import net from 'node:net';
import { ByteQueue } from './byte-queue.js';

export type ConnectionHandler = (sock: net.Socket, input: ByteQueue) => Promise<void>;

export class TcpService {
  readonly #handler: ConnectionHandler;
  /** how a served connection is let go: end() (a FIN after what was written) or destroy() (mqttd's close) */
  readonly #ending: 'end' | 'destroy';
  readonly #sockets = new Set<net.Socket>();
  #server: net.Server | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(handler: ConnectionHandler, ending: 'end' | 'destroy' = 'end') {
    this.#handler = handler;
    this.#ending = ending;
  }

  get openConnections(): number {
    return this.#sockets.size;
  }

  listen(host: string): Promise<number> {
    const server = net.createServer((sock) => {
      this.#sockets.add(sock);
      sock.on('error', () => {});
      sock.once('close', () => this.#sockets.delete(sock));
      const input = ByteQueue.of(sock);
      this.#queue = this.#queue
        .then(() => this.#handler(sock, input))
        .catch(() => {})
        .finally(() => (this.#ending === 'end' ? sock.end() : sock.destroy()));
    });
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve((server.address() as net.AddressInfo).port));
    });
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((r) => (this.#server ? this.#server.close(() => r()) : r()));
  }
}
