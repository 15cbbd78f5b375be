// CurlDispatcher's `upgrade: 'websocket'` requests: what undici's WebSocket
// (and fetch's websocket mode) dispatch. libcurl has no raw connection after
// a generic HTTP upgrade, but it has exactly this one: a ws:// transfer with
// CONNECT_ONLY=2 does the upgrade (the caller's Sec-WebSocket-Key is used
// and its Accept checked), and CURLWS_RAW_MODE then passes the connection's
// bytes through curl_ws_recv/curl_ws_send unframed. undici frames and
// unframes them itself on the Duplex handed to onUpgrade, as it does on its
// own sockets. So the upgrade runs through every option the dispatcher has
// (proxies, RESOLVE/CONNECT_TO, TLS settings, cookies...), and the frames
// over whatever connection that made (a tunnel, TLS in TLS).
import { Buffer } from 'node:buffer';
import { Duplex } from 'node:stream';
import { errors } from 'undici';
import { CURLE } from '../codes.js';
import { CURL_POLL, CURLH } from '../constants.js';
import { Easy } from '../easy/easy.js';
import { CURLINFO } from '../easy/info-table.js';
import { CURLOPT } from '../easy/option-table.js';
import { CurlError } from '../request/errors.js';
import { applyCurlOptions, type CurlOptions } from '../request/options.js';
import { SocketWatcher } from '../transport/socket-watcher.js';
import { CURLWS_OPT } from '../ws/ws-flags.js';
import type { ClassicHandler } from './dispatch-handler.js';

/** Reads go into slabs of this size, each read's bytes pushed as a view of its slab (no second copy). */
const SLAB_SIZE = 64 * 1024;
/** A slab with less room than this left is let go (its views stay with whoever holds them) for a new one. */
const MIN_READ = 16 * 1024;

/**
 * The upgraded connection as a Duplex: reads are curl_ws_recv's raw bytes,
 * writes go through curl_ws_send, each waiting on the socket (a
 * SocketWatcher on CURLINFO_ACTIVESOCKET) when libcurl says CURLE_AGAIN.
 * Destroying it closes the connection (curl_easy_cleanup).
 */
export class CurlUpgradedSocket extends Duplex {
  readonly #easy: Easy;
  readonly #watcher: SocketWatcher;
  #slab = Buffer.allocUnsafe(SLAB_SIZE);
  #used = 0;
  #wantIn = false;
  /** a write waiting for the socket to take more: its bytes, how far it got, its callback */
  #pending: { chunk: Buffer; at: number; cb: (err?: Error | null) => void } | null = null;

  constructor(easy: Easy) {
    super({ allowHalfOpen: false });
    this.#easy = easy;
    this.#watcher = new SocketWatcher(easy.getinfo(CURLINFO.ACTIVESOCKET) as number);
  }

  override _read(): void {
    this.#pump();
  }

  #pump(): void {
    for (;;) {
      if (SLAB_SIZE - this.#used < MIN_READ) {
        this.#slab = Buffer.allocUnsafe(SLAB_SIZE);
        this.#used = 0;
      }
      const room = this.#slab.subarray(this.#used);
      const r = this.#easy.wsRecv(room);
      if (r.code === CURLE.AGAIN) {
        this.#wait(true);
        return;
      }
      // the peer closed: curl_ws_recv says CURLE_GOT_NOTHING (or hands over nothing)
      if (r.code === CURLE.GOT_NOTHING || (r.code === CURLE.OK && r.n === 0)) {
        this.push(null);
        return;
      }
      if (r.code !== CURLE.OK) {
        this.destroy(new CurlError(r.code, this.#easy.errorBuffer));
        return;
      }
      this.#used += r.n;
      if (!this.push(room.subarray(0, r.n))) return;
    }
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.#pending = { chunk, at: 0, cb };
    this.#send();
  }

  #send(): void {
    const p = this.#pending!;
    while (p.at < p.chunk.length) {
      const r = this.#easy.wsSend(p.at === 0 ? p.chunk : p.chunk.subarray(p.at), 0, 0);
      if (r.code === CURLE.AGAIN) {
        this.#wait(false);
        return;
      }
      if (r.code !== CURLE.OK) {
        this.#pending = null;
        p.cb(new CurlError(r.code, this.#easy.errorBuffer));
        return;
      }
      p.at += r.sent;
    }
    this.#pending = null;
    p.cb();
  }

  /** Watch the socket for what is waited for now (reading, a write, or both). */
  #wait(forIn: boolean): void {
    if (forIn) this.#wantIn = true;
    const events = (this.#wantIn ? CURL_POLL.IN : 0) | (this.#pending ? CURL_POLL.OUT : 0);
    this.#watcher.start(events, (ready) => this.#ready(ready));
  }

  #ready(ready: number): void {
    if (this.destroyed) return;
    this.#watcher.stop();
    const readIn = this.#wantIn && (ready & CURL_POLL.IN) !== 0;
    if (readIn) this.#wantIn = false;
    const writeOut = this.#pending !== null && (ready & CURL_POLL.OUT) !== 0;
    if (writeOut) this.#send();
    if (readIn) this.#pump();
    // what was not ready yet is waited for again
    if (!this.destroyed && (this.#wantIn || this.#pending) && !this.#watcher.active) this.#wait(false);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.#watcher.stop();
    const p = this.#pending;
    this.#pending = null;
    this.#easy.cleanup();
    p?.cb(err ?? new Error('socket destroyed'));
    cb(err);
  }

  /** net.Socket's address(): the local end, as libcurl reports it. */
  address(): { address: string; family: string; port: number } {
    const address = String(this.#easy.getinfo(CURLINFO.LOCAL_IP) ?? '');
    return { address, family: address.includes(':') ? 'IPv6' : 'IPv4', port: Number(this.#easy.getinfo(CURLINFO.LOCAL_PORT) ?? 0) };
  }

  get remoteAddress(): string {
    return String(this.#easy.getinfo(CURLINFO.PRIMARY_IP) ?? '');
  }

  get remotePort(): number {
    return Number(this.#easy.getinfo(CURLINFO.PRIMARY_PORT) ?? 0);
  }

  // net.Socket's tuning calls: accepted, nothing to do for a connection libcurl set up
  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  setTimeout(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }
}

/**
 * The 101's header fields from the handle's header store (curl_easy_nextheader; a 101's are
 * CURLH_1XX, as in libcurl), as undici's rawHeaders: name, value, ...
 */
function responseHeaders(easy: Easy): Buffer[] {
  const raw: Buffer[] = [];
  const origin = CURLH.HEADER | CURLH['1XX'];
  for (let h = easy.nextheader(origin, -1, null); h; h = easy.nextheader(origin, -1, h)) {
    raw.push(Buffer.from(h.name, 'latin1'), Buffer.from(h.value, 'latin1'));
  }
  return raw;
}

/** http(s)://host/path → ws(s)://host/path: the scheme that makes libcurl do the WebSocket upgrade. */
function wsUrl(url: string): string {
  return url.replace(/^http(s?):/i, (_m, s: string) => `ws${s}:`);
}

/**
 * Run a WebSocket upgrade for undici: headers as undici sent them (its
 * Sec-WebSocket-Key, -Version, -Extensions, -Protocol), then onUpgrade with
 * the 101's status, raw headers and the connection, or onError (a refusal
 * is libcurl's CURLE_HTTP_RETURNED_ERROR, which fetch turns into the
 * WebSocket's failure). undici's headersTimeout, when the dispatch set
 * one, bounds the wait for the 101 as it bounds any response head.
 */
export async function upgradeWebSocket(url: string, headers: [string, string][], options: CurlOptions, handler: ClassicHandler,
  headersTimeout: number | null = null): Promise<void> {
  const easy = new Easy();
  let aborted: unknown;
  let performing = false;
  let timer: NodeJS.Timeout | undefined;
  const abort = (reason?: unknown): void => {
    if (aborted !== undefined) return;
    aborted = reason ?? new Error('Request aborted');
    // a running upgrade ends with CURLE_ABORTED_BY_CALLBACK and its connection closed
    if (performing) easy.cleanup();
  };
  try {
    const bad = applyCurlOptions(easy, options);
    if (bad) throw new CurlError(bad.code, `option ${bad.name} refused`);
    if (easy.setopt(CURLOPT.URL, wsUrl(url)) !== CURLE.OK) throw new CurlError(CURLE.URL_MALFORMAT, easy.errorBuffer);
    easy.setopt(CURLOPT.CONNECT_ONLY, 2);
    easy.setopt(CURLOPT.WS_OPTIONS, CURLWS_OPT.RAW_MODE);
    easy.setopt(CURLOPT.HTTPHEADER, headers.map(([k, v]) => `${k}: ${v}`));
    handler.onConnect?.(abort);
    if (aborted !== undefined) throw aborted;
    if (headersTimeout) timer = setTimeout(() => abort(new errors.HeadersTimeoutError()), headersTimeout);
    performing = true;
    const code = await easy.perform();
    performing = false;
    clearTimeout(timer);
    if (aborted !== undefined) throw aborted;
    if (code !== CURLE.OK) throw new CurlError(code, easy.errorBuffer);
    const status = easy.getinfo(CURLINFO.RESPONSE_CODE) as number;
    handler.onUpgrade?.(status, responseHeaders(easy), new CurlUpgradedSocket(easy));
  } catch (err) {
    clearTimeout(timer);
    easy.cleanup();
    handler.onError?.(err instanceof Error ? err : new Error(String(err)));
  }
}
