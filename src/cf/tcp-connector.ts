// Connecting a TCP socket to one of several resolved addresses, racing the two
// address families as libcurl's happy eyeballs filter does (RFC 8305 style).
//
// Theory of operation: the addresses are split by family; the family of the
// first address leads. One attempt runs per family at a time. A failed attempt
// is followed at once by the next address of its family; the second family
// starts when the leader has not connected within HAPPY_EYEBALLS_MS (or at once
// when the leader ran out of addresses). The first attempt to connect wins and
// the others are closed. step() never blocks; it is called by the transfer's
// CONNECTING state whenever one of our sockets is ready or our timer expired.
import { connect as netConnect, type Socket } from 'node:net';
import type { ResolvedAddress } from '../dns/resolver.js';
import { StreamTransport } from '../transport/stream-transport.js';
import { ReceiveQueue } from '../transport/recv-queue.js';
import { CURL_POLL } from '../constants.js';
import type { PollEntry } from '../multi/socket-registry.js';

export const HAPPY_EYEBALLS_MS = 200;

export interface TcpConnectOptions {
  port: number;
  localPort?: number;
  noDelay: boolean;
  /** Called to dispose a losing or failed attempt (the engine unregisters it first). */
  discard: (t: StreamTransport) => void;
  /** Trace hook for "  Trying 1.2.3.4:80..." lines. */
  onTrying?: (address: ResolvedAddress) => void;
}

interface Attempt {
  address: ResolvedAddress;
  transport: StreamTransport;
}

export type ConnectStep =
  | { kind: 'pending' }
  | { kind: 'connected'; transport: StreamTransport; address: ResolvedAddress }
  | { kind: 'failed'; message: string };

export class TcpConnector {
  #queues: ResolvedAddress[][];
  #running: (Attempt | null)[];
  #opts: TcpConnectOptions;
  #startedAt: number;
  #secondStarted = false;
  #lastError = '';
  #lastAddress: ResolvedAddress | null = null;

  constructor(addresses: ResolvedAddress[], opts: TcpConnectOptions, now: number) {
    const lead = addresses[0]?.family ?? 4;
    this.#queues = [addresses.filter((a) => a.family === lead), addresses.filter((a) => a.family !== lead)];
    this.#running = [null, null];
    this.#opts = opts;
    this.#startedAt = now;
  }

  /** When the second family should start, if it has not. */
  nextTimeout(): number | undefined {
    if (this.#secondStarted || this.#queues[1]!.length === 0) return undefined;
    return this.#startedAt + HAPPY_EYEBALLS_MS;
  }

  step(now: number): ConnectStep {
    for (let f = 0; f < 2; f++) {
      const a = this.#running[f];
      if (!a) continue;
      const t = a.transport;
      if (t.error || t.eof) {
        this.#lastError = t.error ? describe(t.error) : 'Connection closed';
        this.#lastAddress = a.address;
        this.#running[f] = null;
        this.#opts.discard(t);
        continue;
      }
      if (t.connected) {
        this.#running[f] = null;
        this.#abandonAll();
        return { kind: 'connected', transport: t, address: a.address };
      }
    }
    // keep each family's lane busy
    if (!this.#running[0]) this.#startNext(0);
    const leaderDone = !this.#running[0] && this.#queues[0]!.length === 0;
    if (!this.#secondStarted && (leaderDone || now >= this.#startedAt + HAPPY_EYEBALLS_MS)) {
      this.#secondStarted = true;
    }
    if (this.#secondStarted && !this.#running[1]) this.#startNext(1);
    if (!this.#running[0] && !this.#running[1] && this.#queues[0]!.length === 0 && this.#queues[1]!.length === 0) {
      return { kind: 'failed', message: this.#failMessage() };
    }
    return { kind: 'pending' };
  }

  pollset(): PollEntry[] {
    const out: PollEntry[] = [];
    for (const a of this.#running) if (a) out.push({ transport: a.transport, what: CURL_POLL.OUT });
    return out;
  }

  /** Close every attempt still running (timeout, transfer removed). */
  abort(): void {
    this.#abandonAll();
  }

  get lastAddress(): ResolvedAddress | null {
    return this.#lastAddress;
  }

  #startNext(f: number): void {
    const address = this.#queues[f]!.shift();
    if (!address) return;
    this.#opts.onTrying?.(address);
    let socket: Socket;
    // reads go through a shared buffer into recycled slabs (no Buffer per chunk)
    const rq = new ReceiveQueue();
    try {
      socket = netConnect({
        onread: rq.onread,
        host: address.address,
        port: this.#opts.port,
        family: address.family,
        ...(this.#opts.localPort ? { localPort: this.#opts.localPort } : {}),
        noDelay: this.#opts.noDelay,
      });
    } catch (err) {
      this.#lastError = describe(err as Error);
      this.#lastAddress = address;
      return this.#startNext(f);
    }
    this.#running[f] = { address, transport: new StreamTransport(socket, false, 'connect', rq) };
  }

  #abandonAll(): void {
    for (let f = 0; f < 2; f++) {
      const a = this.#running[f];
      if (a) this.#opts.discard(a.transport);
      this.#running[f] = null;
    }
  }

  #failMessage(): string {
    return this.#lastError || 'Could not connect';
  }
}

function describe(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return 'Connection refused';
  if (code === 'ENETUNREACH') return 'Network is unreachable';
  if (code === 'EHOSTUNREACH') return 'No route to host';
  if (code === 'ETIMEDOUT') return 'Connection timed out';
  if (code === 'EADDRNOTAVAIL') return 'Cannot assign requested address';
  return err.message;
}
