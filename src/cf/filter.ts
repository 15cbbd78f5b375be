// Connection filters: libcurl's cfilters, the layers one connection is made
// of (socket -> SOCKS -> TLS to an HTTPS proxy -> HTTP CONNECT -> HAProxy
// header -> TLS to the origin). Each filter connects over the ones below it,
// without blocking, and answers questions about what it negotiated.
//
// Theory of operation. A FilterChain holds its filters bottom to top and
// connects them in order: connect() runs the first filter not yet connected,
// and when that one is done, the next one at once, so that a connection is
// ready the moment the last filter is. While a filter waits, the chain's
// pollset() and nextTimeout() are that filter's: the engine polls exactly
// what the connecting layer waits for. Once connected, bytes travel through
// the connection's transport: node:tls does the TLS layers' work inside that
// one transport (a TLSSocket over the socket below, upgraded in place, so the
// curl_socket_t the application watches never changes), and the tunnel
// filters are pass-through, as in libcurl once a tunnel is established.
import type { CURLcode } from '../codes.js';
import type { PollEntry } from '../transport/transport.js';
import type { ServerCertFacts } from '../vtls/server-cert.js';

export type FilterStep =
  | { kind: 'pending' }
  | { kind: 'done' }
  /** the peer closed and wants a new connection (a proxy after a 407 it can be answered) */
  | { kind: 'reconnect' }
  | { kind: 'failed'; code: CURLcode; message: string };

/** Facts a filter can be asked about once connected (libcurl's cf->query). */
export interface FilterFacts {
  /** the protocol the TLS handshake agreed on by ALPN, '' when none */
  alpn: string;
  /** what verifying the peer's certificate found */
  tls: ServerCertFacts;
}

export interface ConnectionFilter {
  /** for traces: 'SOCKS', 'TLS', 'TLS-PROXY', 'H1-PROXY', 'HAPROXY' */
  readonly name: string;
  /**
   * Take the next connect step. MUST NOT block or wait: send what can be
   * sent, read what is there, and answer 'pending' when waiting for the
   * socket (as pollset() says) or a timer (as nextTimeout() says).
   * Called only while this filter is not connected and every filter below is.
   */
  connect(now: number): FilterStep;
  /** What the filter waits for while connecting. */
  pollset(): PollEntry[];
  /** When connect() must run again even without socket activity (nowMs() time). */
  nextTimeout(): number | undefined;
  /** A fact about the connection as this filter knows it, or undefined. */
  query<K extends keyof FilterFacts>(key: K): FilterFacts[K] | undefined;
  /**
   * What libcurl's filter says when CURLOPT_CONNECTTIMEOUT ends it while it
   * connects (its own Curl_timeleft() check: "SSL connection timeout",
   * "Proxy CONNECT aborted due to timeout"); absent: the multi's
   * "Connection timed out after N milliseconds".
   */
  readonly timeoutMessage?: string;
  /** Give up a connect in progress (timeout, transfer removed): release what it holds. */
  abort(): void;
}

/** The defaults of a filter with nothing to negotiate or report. */
export abstract class PassThroughFilter implements ConnectionFilter {
  abstract readonly name: string;
  connect(_now: number): FilterStep {
    return DONE;
  }
  pollset(): PollEntry[] {
    return [];
  }
  nextTimeout(): number | undefined {
    return undefined;
  }
  query<K extends keyof FilterFacts>(_key: K): FilterFacts[K] | undefined {
    return undefined;
  }
  abort(): void {}
}

export const PENDING: FilterStep = Object.freeze({ kind: 'pending' });
export const DONE: FilterStep = Object.freeze({ kind: 'done' });

/** The filters of one connection above its socket, connected bottom to top. */
export class FilterChain {
  readonly #filters: ConnectionFilter[];
  /** index of the first filter not connected yet */
  #next = 0;

  constructor(filters: ConnectionFilter[]) {
    this.#filters = filters;
  }

  get connected(): boolean {
    return this.#next >= this.#filters.length;
  }

  /** Connect as far as possible now. */
  connect(now: number): FilterStep {
    while (this.#next < this.#filters.length) {
      const step = this.#filters[this.#next]!.connect(now);
      if (step.kind !== 'done') return step;
      this.#next++;
    }
    return DONE;
  }

  pollset(): PollEntry[] {
    return this.connected ? [] : this.#filters[this.#next]!.pollset();
  }

  nextTimeout(): number | undefined {
    return this.connected ? undefined : this.#filters[this.#next]!.nextTimeout();
  }

  /** The connecting filter's words for a connect timeout (ConnectionFilter.timeoutMessage). */
  timeoutMessage(): string | undefined {
    return this.connected ? undefined : this.#filters[this.#next]!.timeoutMessage;
  }

  /** The topmost answer: the filter nearest the protocol knows best (libcurl asks top-down too). */
  query<K extends keyof FilterFacts>(key: K): FilterFacts[K] | undefined {
    for (let i = this.#filters.length - 1; i >= 0; i--) {
      const v = this.#filters[i]!.query(key);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** A fact from the filter of this name (e.g. the proxy's TLS facts from 'TLS-PROXY'). */
  queryFilter<K extends keyof FilterFacts>(name: string, key: K): FilterFacts[K] | undefined {
    return this.#filters.find((f) => f.name === name)?.query(key);
  }

  abort(): void {
    for (let i = this.#next; i < this.#filters.length; i++) this.#filters[i]!.abort();
  }
}
