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

export interface ReadinessObserver {
  /** Called (synchronously, from a Node callback) when readiness may have changed. MUST NOT do I/O. */
  readinessChanged(t: Transport): void;
}

export abstract class Transport {
  readonly id: number;
  #observers: ReadinessObserver[] = [];
  #closed = false;

  constructor() {
    this.id = allocateSocketId(this);
  }

  /** Current CURL_CSELECT bits. */
  abstract readiness(): number;

  get closed(): boolean {
    return this.#closed;
  }

  // Copy on write: observers change a few times per transfer, notify() runs
  // per received chunk, and an observer may remove itself while being told.
  addObserver(o: ReadinessObserver): void {
    if (!this.#observers.includes(o)) this.#observers = [...this.#observers, o];
  }
  removeObserver(o: ReadinessObserver): void {
    if (this.#observers.includes(o)) this.#observers = this.#observers.filter((x) => x !== o);
  }

  protected notify(): void {
    const list = this.#observers;
    for (let i = 0; i < list.length; i++) list[i]!.readinessChanged(this);
  }

  /** Release the number and any Node resources. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    releaseSocketId(this.id);
    this.closeResources();
    this.notify(); // watchers learn the socket is gone
    this.#observers = [];
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
