// The listening socket of FTP's active mode (PORT/EPRT) as a Transport: it
// has a curl_socket_t number the application sees through SOCKETFUNCTION,
// and it is IN-ready when the server's data connection is waiting to be
// accepted (as a listening socket is readable in poll()). Node accepts for
// us; the accepted socket waits here until accept() takes it.
import { createServer, type Server, type Socket } from 'node:net';
import { Transport } from '../../transport/transport.js';
import { CURL_CSELECT } from '../../constants.js';

export class ListenTransport extends Transport {
  #server: Server | null = null;
  #waiting: Socket[] = [];
  #error: Error | null = null;
  /** bound and not yet taken note of by the request (IN-ready once, as the "listening" news) */
  #boundNews = false;
  #bound = false;
  readonly address: string;
  /** the address told to the server (FTPPORT's, when it could not be bound here: libcurl's fallback) */
  announce: string;
  port = 0;
  #next: number;
  readonly #to: number;

  /**
   * Start listening on `address`, on the first free port of [from, to] (0:
   * any). Node binds asynchronously (even an IP literal goes through a
   * lookup): `bound` or `error` tells when it is settled, and readiness turns
   * IN then.
   */
  constructor(address: string, from: number, to: number) {
    super();
    this.address = address;
    this.announce = address;
    this.#next = from;
    this.#to = Math.max(from, to);
    this.#tryNext();
  }

  #tryNext(): void {
    if (this.closed) return;
    if (this.#next > this.#to) {
      this.#error ??= new Error('no free port to listen on');
      this.#boundNews = true;
      this.notify();
      return;
    }
    const port = this.#next++;
    const server = createServer({ pauseOnConnect: true });
    this.#server = server;
    server.once('error', (err: Error) => {
      server.close();
      if (this.#server !== server) return;
      this.#server = null;
      if (this.#next <= this.#to) return this.#tryNext();
      this.#error = err;
      this.#boundNews = true;
      this.notify();
    });
    server.on('connection', (s: Socket) => {
      s.on('error', () => {});
      this.#waiting.push(s);
      if (this.#waiting.length === 1) this.notify();
    });
    server.listen({ port, host: this.address, backlog: 1, exclusive: true }, () => {
      const a = server.address();
      if (a === null || typeof a === 'string') return;
      this.port = a.port;
      this.#bound = true;
      this.#boundNews = true;
      server.on('error', (err: Error) => {
        this.#error ??= err;
        this.notify();
      });
      this.notify();
    });
  }

  /** Listening (port is known). */
  get bound(): boolean {
    return this.#bound;
  }

  /** The request took note of the bind's outcome: readiness now means a connection waits. */
  takeBoundNews(): void {
    this.#boundNews = false;
  }

  readiness(): number {
    return this.#waiting.length > 0 || this.#boundNews || this.#error || this.closed ? CURL_CSELECT.IN : 0;
  }

  get error(): Error | null {
    return this.#error;
  }

  /** The first connection the server made, or null. */
  accept(): Socket | null {
    return this.#waiting.shift() ?? null;
  }

  protected closeResources(): void {
    this.#server?.close();
    this.#server = null;
    for (const s of this.#waiting) s.destroy();
    this.#waiting = [];
  }
}
