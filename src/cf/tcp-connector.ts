// Connecting a TCP socket to one of several resolved addresses, racing the two
// address families as libcurl's happy eyeballs filter does (RFC 8305 style).
//
// Theory of operation: the addresses are split by family; the family of the
// first address leads. One attempt runs per family at a time. A failed attempt
// is followed at once by the next address of its family; the second family
// starts when the leader has not connected within CURLOPT_HAPPY_EYEBALLS_TIMEOUT_MS (200 ms by default; or at once
// when the leader ran out of addresses). The first attempt to connect wins and
// the others are closed. step() never blocks; it is called by the transfer's
// CONNECTING state whenever one of our sockets is ready or our timer expired.
import { connect as netConnect, type Socket } from 'node:net';
import { constants as osConstants } from 'node:os';
import type { ResolvedAddress } from '../dns/resolver.js';
import { StreamTransport } from '../transport/stream-transport.js';
import { ReceiveQueue } from '../transport/recv-queue.js';
import { CURL_POLL } from '../constants.js';
import type { PollEntry } from '../transport/transport.js';
import { CURLE, type CURLcode } from '../codes.js';
import type { ConnectStep, Connector } from './connector.js';
import { errnoNumber, errnoText } from './socket-errors.js';
import type { LocalBind } from './local-bind.js';

export type { ConnectStep };


export interface TcpConnectOptions {
  port: number;
  /** CURLOPT_INTERFACE / LOCALPORT / LOCALPORTRANGE: where the socket binds first */
  bind?: LocalBind | null;
  noDelay: boolean;
  /** CURLOPT_HAPPY_EYEBALLS_TIMEOUT_MS: how long the first family runs alone (libcurl's 200 ms if unset) */
  happyEyeballsMs?: number;
  /** CURLOPT_TCP_KEEPALIVE with its idle time in seconds (TCP_KEEPIDLE) */
  keepAliveIdle?: number | null;
  /** verbose text of the bind steps ("Local port: N") */
  trace?: (text: string) => void;
  /** Called to dispose a losing or failed attempt (the engine unregisters it first). */
  discard: (t: StreamTransport) => void;
  /** A failf() on the way (the first one becomes the transfer's error text). */
  onFail?: (message: string) => void;
  /** Trace hook for "  Trying 1.2.3.4:80..." lines. */
  onTrying?: (address: ResolvedAddress) => void;
}

interface Attempt {
  address: ResolvedAddress;
  transport: StreamTransport;
  /** the local address/port asked for, if any */
  localAddress: string | undefined;
  localPort: number;
  /** say "Local port: N" once bound (libcurl says it after a bind() by address or port) */
  announce: boolean;
  /** local ports tried so far for this address (CURLOPT_LOCALPORTRANGE) */
  portTries: number;
}

export class TcpConnector implements Connector {
  #queues: ResolvedAddress[][];
  #running: (Attempt | null)[];
  #opts: TcpConnectOptions;
  #startedAt: number;
  #secondStarted = false;
  /** ms added to the second family's start once (see step()) */
  #grace = 0;
  #lastError = '';
  #lastCode: CURLcode = CURLE.COULDNT_CONNECT;
  #lastErrno = 0;
  #lastAddress: ResolvedAddress | null = null;

  constructor(addresses: ResolvedAddress[], opts: TcpConnectOptions, now: number) {
    const lead = addresses[0]?.family ?? 4;
    this.#queues = [addresses.filter((a) => a.family === lead), addresses.filter((a) => a.family !== lead)];
    this.#running = [null, null];
    this.#opts = opts;
    this.#startedAt = now;
  }

  /** When the second family starts unless the first one connects or runs out first. */
  get #secondFamilyAt(): number {
    return this.#startedAt + (this.#opts.happyEyeballsMs ?? 200) + this.#grace;
  }

  /** When the second family should start, if it has not. */
  nextTimeout(): number | undefined {
    if (this.#secondStarted || this.#queues[1]!.length === 0) return undefined;
    return this.#secondFamilyAt;
  }

  step(now: number): ConnectStep {
    for (let f = 0; f < 2; f++) {
      const a = this.#running[f];
      if (!a) continue;
      const t = a.transport;
      if (t.error || t.eof) {
        this.#lastErrno = t.error ? errnoOf(t.error) : 0;
        this.#running[f] = null;
        this.#opts.discard(t);
        if (t.error && (t.error as NodeJS.ErrnoException).syscall === 'bind') {
          this.#bindFailed(f, a, t.error);
          continue;
        }
        this.#boundTrace(a);
        this.#lastError = t.error ? describe(t.error) : 'Connection closed';
        this.#opts.trace?.(`connect to ${a.address.address} port ${this.#opts.port} failed: ${this.#lastError}`);
        this.#lastCode = CURLE.COULDNT_CONNECT;
        this.#lastAddress = a.address;
        continue;
      }
      if (t.connected) {
        this.#running[f] = null;
        this.#abandonAll();
        this.#boundTrace(a);
        if (this.#opts.keepAliveIdle) t.socket.setKeepAlive(true, this.#opts.keepAliveIdle * 1000);
        return { kind: 'connected', transport: t };
      }
    }
    // keep each family's lane busy
    if (!this.#running[0]) this.#startNext(0);
    const leaderDone = !this.#running[0] && this.#queues[0]!.length === 0;
    if (!this.#secondStarted && (leaderDone || now >= this.#secondFamilyAt)) {
      if (!leaderDone && this.#grace === 0) {
        // The leader may have connected while this process was busy: its 'connect' is delivered in the
        // event loop's I/O phase, after the timers phase that woke us. libcurl looks at the socket
        // before it starts the next family; waiting one more loop turn (1 ms) does the same here.
        this.#grace = Math.max(1, now - this.#secondFamilyAt + 1);
      } else {
        this.#secondStarted = true;
      }
    }
    if (this.#secondStarted && !this.#running[1]) this.#startNext(1);
    if (!this.#running[0] && !this.#running[1] && this.#queues[0]!.length === 0 && this.#queues[1]!.length === 0) {
      return { kind: 'failed', message: this.#failMessage(), code: this.#lastCode, errno: this.#lastErrno };
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
    const bind = this.#opts.bind;
    let localAddress: string | undefined;
    let announce = false;
    if (bind) {
      const local = bind.addressFor(address.family, (text) => this.#opts.trace?.(text));
      if (!local.ok) {
        // this address cannot be bound as asked: the next one may (another family)
        this.#lastError = local.message;
        this.#lastCode = CURLE.INTERFACE_FAILED;
        this.#lastAddress = address;
        this.#opts.onFail?.(local.message);
        return this.#startNext(f);
      }
      localAddress = local.address;
      announce = local.announce || bind.port > 0;
    }
    this.#open(f, address, localAddress, bind?.port ?? 0, 1, announce);
  }

  #open(f: number, address: ResolvedAddress, localAddress: string | undefined, localPort: number, portTries: number, announce: boolean): void {
    let socket: Socket;
    // reads go through a shared buffer into recycled slabs (no Buffer per chunk)
    const rq = new ReceiveQueue();
    try {
      socket = netConnect({
        onread: rq.onread,
        host: address.address,
        port: this.#opts.port,
        family: address.family,
        ...(localAddress ? { localAddress } : {}),
        ...(localPort ? { localPort } : {}),
        noDelay: this.#opts.noDelay,
      });
    } catch (err) {
      this.#lastError = describe(err as Error);
      this.#lastErrno = errnoOf(err as Error);
      this.#lastAddress = address;
      return this.#startNext(f);
    }
    this.#running[f] = { address, transport: new StreamTransport(socket, false, 'connect', rq), localAddress, localPort, portTries, announce };
  }

  /**
   * libcurl's bindlocal() loop: a busy local port moves on to the next one
   * within CURLOPT_LOCALPORTRANGE; anything else fails this address with
   * CURLE_INTERFACE_FAILED.
   */
  #bindFailed(f: number, a: Attempt, err: Error): void {
    const range = Math.max(1, this.#opts.bind?.range ?? 1);
    const busy = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
    if (busy && a.localPort > 0 && a.portTries < range && a.localPort < 65535) {
      this.#opts.trace?.(`Bind to local port ${a.localPort} failed, trying next`);
      return this.#open(f, a.address, a.localAddress, a.localPort + 1, a.portTries + 1, a.announce);
    }
    const message = `bind failed with errno ${errnoNumber(err)}: ${errnoText(err)}`;
    this.#opts.onFail?.(message);
    this.#lastError = message;
    this.#lastCode = CURLE.INTERFACE_FAILED;
    this.#lastAddress = a.address;
  }

  /** "Local port: N" once a bound socket got past bind(), as libcurl says after bindlocal(). */
  #boundTrace(a: Attempt): void {
    if (a.announce) this.#opts.trace?.(`Local port: ${a.localPort}`);
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

/** The positive errno number for a Node system error (ECONNREFUSED -> 111 on Linux). */
function errnoOf(err: Error): number {
  const code = (err as NodeJS.ErrnoException).code;
  const n = code ? (osConstants.errno as Record<string, number>)[code] : undefined;
  return n ?? 0;
}

function describe(err: Error): string {
  return errnoText(err);
}
