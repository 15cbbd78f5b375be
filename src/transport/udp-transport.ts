// A UDP socket as a curl_socket_t (libcurl's TRNSPRT_UDP socket, which TFTP
// uses): datagrams in, datagrams out, readiness for the application to watch.
//
// Theory of operation. node:dgram has no paused mode: a bound socket emits
// every datagram as a 'message' event. The transport keeps them in a queue
// (the kernel's socket buffer, as far as the library can see) and Node
// callbacks only append and tell observers (DESIGN.md §7.1); recv() hands
// them out from inside a call into the library. The queue is bounded: a
// peer that floods the socket loses the datagrams beyond MAX_QUEUED, as it
// would lose them once a full kernel buffer drops them, so a flood costs
// bounded memory. The socket is not connect()ed: TFTP's server answers from
// a port of its own (its transfer id), so every datagram carries its source
// and sends name their destination (libcurl's sendto/recvfrom).
//   IN  ready: a datagram is queued, or an error is pending, or closed.
//   OUT ready: bound (sends never block: Node queues them).
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { CURL_CSELECT } from '../constants.js';
import { Transport } from './transport.js';

/** Datagrams, and their bytes, kept before the library reads them; later ones are dropped. */
export const MAX_QUEUED = 256;
export const MAX_QUEUED_BYTES = 1 << 20;

/** dns.lookup's signature for IP literals, answered synchronously. */
function literalLookup(host: string, opts: unknown, cb?: (err: Error | null, address: string, family: number) => void): void {
  const done = (typeof opts === 'function' ? opts : cb) as (err: Error | null, address: string, family: number) => void;
  const family = isIP(host);
  if (family === 0) done(new Error(`not an IP address: ${host}`), '', 0);
  else done(null, host, family);
}

/** One received datagram and where it came from. */
export interface Datagram {
  data: Buffer;
  address: string;
  port: number;
}

export class UdpTransport extends Transport {
  readonly socket: Socket;
  readonly family: 4 | 6;
  #queue: Datagram[] = [];
  #bound = false;
  #error: Error | null = null;
  #queuedBytes = 0;
  /** the only source accepted, once the protocol knows its peer (restrictTo) */
  #peer: { address: string; port: number } | null = null;
  /** datagrams dropped because the queue was full (a flood) */
  dropped = 0;

  /**
   * A socket of `family`, bound to `address`/`port` (undefined/0: any);
   * OUT readiness says the bind finished, `error` says it failed.
   */
  constructor(family: 4 | 6, address: string | undefined, port: number) {
    super();
    this.family = family;
    // sends name IP addresses only: answering the lookup at once makes send() hand the datagram to
    // the kernel synchronously (node:dgram's default lookup waits a tick, and a send followed by
    // close(), as a transfer's last ACK is, would be dropped)
    this.socket = createSocket({ type: family === 6 ? 'udp6' : 'udp4', lookup: literalLookup });
    this.socket.on('message', (data, rinfo) => {
      if (this.closed) return;
      const p = this.#peer;
      if (p !== null && (rinfo.port !== p.port || rinfo.address !== p.address)) {
        this.dropped++;
        return;
      }
      if (this.#queue.length >= MAX_QUEUED || this.#queuedBytes + data.length > MAX_QUEUED_BYTES) {
        this.dropped++;
        return;
      }
      this.#queuedBytes += data.length;
      this.#queue.push({ data, address: rinfo.address, port: rinfo.port });
      this.notify();
    });
    this.socket.on('error', (err) => {
      if (this.closed) return;
      this.#error ??= err;
      this.notify();
    });
    this.socket.once('listening', () => {
      if (this.closed) return;
      this.#bound = true;
      this.notify();
    });
    this.socket.bind({ address: address ?? (family === 6 ? '::' : '0.0.0.0'), port, exclusive: true });
  }

  readiness(): number {
    if (this.closed) return CURL_CSELECT.IN;
    let r = 0;
    if (this.#queue.length > 0 || this.#error) r |= CURL_CSELECT.IN;
    if (this.#bound || this.#error) r |= CURL_CSELECT.OUT;
    return r;
  }

  get bound(): boolean {
    return this.#bound;
  }

  /** The error Node reported (a failed bind, an ICMP error on a send), once. */
  takeError(): Error | null {
    const e = this.#error;
    this.#error = null;
    return e;
  }

  /** The oldest queued datagram, or null when none is (CURLE_AGAIN). */
  recv(): Datagram | null {
    const d = this.#queue.shift();
    if (!d) return null;
    this.#queuedBytes -= d.data.length;
    return d;
  }

  /**
   * From now on only datagrams from `address`/`port` count; others are
   * dropped on arrival, as a connect()ed socket's kernel drops them (TFTP
   * knows its peer from the first answer, and then ignores everyone else).
   * What is queued from others already goes too.
   */
  restrictTo(address: string, port: number): void {
    this.#peer = { address, port };
    const keep = this.#queue.filter((d) => d.port === port && d.address === address);
    this.dropped += this.#queue.length - keep.length;
    this.#queue = keep;
    this.#queuedBytes = keep.reduce((n, d) => n + d.data.length, 0);
  }

  /** sendto(): `data` must not be changed afterwards (Node sends it later). */
  send(data: Buffer, port: number, address: string): void {
    if (this.closed) return;
    this.socket.send(data, port, address, (err) => {
      if (err && !this.closed) {
        this.#error ??= err;
        this.notify();
      }
    });
  }

  /** The local address and port once bound. */
  local(): { address: string; port: number } {
    try {
      const a = this.socket.address();
      return { address: a.address, port: a.port };
    } catch {
      return { address: '', port: 0 };
    }
  }

  protected closeResources(): void {
    this.#queue = [];
    // after what this turn still sends (a last ACK), not before
    const socket = this.socket;
    setImmediate(() => {
      try {
        socket.close();
      } catch {
        // already closed
      }
    });
  }
}
