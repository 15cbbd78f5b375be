// A Transport is one curl_socket_t: something the application can watch for
// readiness and the library can read from / write to without blocking.
//
// Theory of operation. Node delivers socket activity as events; libcurl's model
// is readiness plus non-blocking calls. A Transport turns the former into the
// latter: Node callbacks ONLY update readiness bits and tell observers that
// readiness may have changed (DESIGN.md §7.1). Bytes are consumed only by
// recv(), which the engine calls from inside socketAction()/perform().
//   IN  ready: data buffered, or EOF, or an error pending.
//   OUT ready: connected (or failed: the error must be seen) and not waiting for 'drain'.
import { allocateSocketId, releaseSocketId } from './socket-table.js';
import { CURL_CSELECT } from '../constants.js';

/** One socket a transfer waits on, and for what (CURL_POLL.IN | OUT). */
export interface PollEntry {
  transport: Transport;
  what: number;
}

export interface ReadinessObserver {
  /** Called (synchronously, from a Node callback) when readiness may have changed. MUST NOT do I/O. */
  readinessChanged(t: Transport): void;
}

export abstract class Transport {
  readonly id: number;
  // Observers: usually one or two (the built-in driver, an application's
  // SocketWatcher), and they come and go once or twice per transfer. Two
  // slots cost no allocation for that; more go to a copy-on-write list.
  // notify() reads the slots before calling anyone, so an observer added or
  // removed while being told takes effect from the next notification, as
  // with a snapshot.
  #obs0: ReadinessObserver | null = null;
  #obs1: ReadinessObserver | null = null;
  #more: ReadinessObserver[] | null = null;
  #closed = false;

  constructor() {
    this.id = allocateSocketId(this);
  }

  /** Current CURL_CSELECT bits. */
  abstract readiness(): number;

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Received bytes come in bursts of small pieces, one I/O phase apart from
   * the next burst (TLS: node:tls hands over each record by itself, several
   * per read of the socket below): a waiting poll() is woken once the burst
   * is in, not per piece (driver.ts).
   */
  get readsInBursts(): boolean {
    return false;
  }

  addObserver(o: ReadinessObserver): void {
    if (this.#obs0 === o || this.#obs1 === o || (this.#more !== null && this.#more.includes(o))) return;
    if (this.#obs0 === null) this.#obs0 = o;
    else if (this.#obs1 === null) this.#obs1 = o;
    else this.#more = this.#more ? [...this.#more, o] : [o];
  }
  removeObserver(o: ReadinessObserver): void {
    if (this.#obs0 === o) this.#obs0 = null;
    else if (this.#obs1 === o) this.#obs1 = null;
    else if (this.#more !== null && this.#more.includes(o)) {
      const rest = this.#more.filter((x) => x !== o);
      this.#more = rest.length > 0 ? rest : null;
    }
  }

  protected notify(): void {
    const a = this.#obs0;
    const b = this.#obs1;
    const more = this.#more;
    if (a !== null) a.readinessChanged(this);
    if (b !== null) b.readinessChanged(this);
    if (more !== null) for (let i = 0; i < more.length; i++) more[i]!.readinessChanged(this);
  }

  /** Release the number and any Node resources. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    releaseSocketId(this.id);
    this.closeResources();
    this.notify(); // watchers learn the socket is gone
    this.#obs0 = null;
    this.#obs1 = null;
    this.#more = null;
  }
  protected abstract closeResources(): void;
}

/**
 * A wake-up source with no bytes behind it: readable once signal() was called.
 * Used for work Node does off the event loop's socket set, such as a DNS lookup
 * in libuv's thread pool — the counterpart of the eventfd libcurl's threaded
 * resolver hands to CURLMOPT_SOCKETFUNCTION.
 */
export class SignalTransport extends Transport {
  #signalled = false;
  readiness(): number {
    return this.#signalled || this.closed ? CURL_CSELECT.IN : 0;
  }
  signal(): void {
    if (this.#signalled || this.closed) return;
    this.#signalled = true;
    this.notify();
  }
  get signalled(): boolean {
    return this.#signalled;
  }
  protected closeResources(): void {}
}
