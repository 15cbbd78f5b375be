// node-libcurl's Easy on a tscurl Easy: setOpt by name, camelCase alias or id
// with node-libcurl's value checks (a wrong type throws TypeError, a closed
// handle CurlEasyError, an option libcurl does not know answers
// CURLE_UNKNOWN_OPTION), getInfo as { code, data }, pause state, dupHandle
// and reset. The differences from node-libcurl's addon are listed in
// docs/migrating-from-node-libcurl.md (perform() is a Promise here).
import { Easy as TscEasy, CURLE, CURLINFO, CURL_POLL, SocketWatcher, easyStrerror } from '../../index.js';
import { adaptCallback, type CallbackHost } from './callbacks.js';
import { easyError } from './errors.js';
import { resolveInfo, resolveOption, type OptionEntry } from './options.js';
import { CurlMime, httpPostToMime, innerMime, type HttpPostField } from './mime.js';
import { Share, innerShare } from './share.js';
import { buildMimePost, type CurlyMimePart } from './mime-post.js';
import { CurlProtocol } from './enums.js';

/** Options node-libcurl does not offer (they need C, or the wrapper uses them itself). */
const UNSUPPORTED = new Set([
  'WRITEDATA', 'HEADERDATA', 'CURLU', 'SSL_CTX_FUNCTION', 'SSL_CTX_DATA', 'OPENSOCKETFUNCTION', 'OPENSOCKETDATA',
  'CLOSESOCKETFUNCTION', 'CLOSESOCKETDATA', 'SOCKOPTFUNCTION', 'SOCKOPTDATA', 'RESOLVER_START_FUNCTION',
  'RESOLVER_START_DATA', 'CONV_FROM_UTF8_FUNCTION', 'CONV_TO_NETWORK_FUNCTION', 'CONV_FROM_NETWORK_FUNCTION',
  'ERRORBUFFER', 'STDERR', 'XFERINFODATA', 'PROGRESSDATA', 'DEBUGDATA', 'SEEKDATA', 'TRAILERDATA', 'PREREQDATA',
  'INTERLEAVEDATA', 'CHUNK_DATA', 'FNMATCH_DATA', 'SSH_KEYDATA', 'SSH_HOSTKEYDATA', 'HSTSREADDATA', 'HSTSWRITEDATA',
  // node-libcurl 5 refuses these too: SSH_KEYFUNCTION has no type or callback bridge there
  // (SSH_HOSTKEYFUNCTION and SSH_KNOWNHOSTS are its ways), QUICK_EXIT is process-wide libcurl state
  'SSH_KEYFUNCTION', 'QUICK_EXIT',
]);

const AUTH_MASKS = new Set(['HTTPAUTH', 'PROXYAUTH']);

/** A CURLPROTO_* bitmask (CurlProtocol) as the scheme list PROTOCOLS_STR takes ('all' for every bit). */
function protocolList(mask: number): string {
  if ((mask | 0) === -1) return 'all';
  const names = Object.entries(CurlProtocol).filter(([name, bit]) => typeof bit === 'number' && /^[A-Z0-9]+$/.test(name) && bit > 0 && (mask & bit) === bit);
  return names.map(([name]) => name.toLowerCase()).join(',');
}

/** Infos node-libcurl does not offer. */
const UNSUPPORTED_INFO = new Set(['TLS_SESSION', 'TLS_SSL_PTR', 'PRIVATE']);

export interface GetInfoReturn<T = number | string | null> {
  data: T;
  code: number;
}

/** the compat Easy of a tscurl handle (what a Multi's infoRead() names) */
const outers = new WeakMap<TscEasy, Easy>();

/** The compat Easy around a tscurl handle of this layer, if any. */
export function outerEasy(inner: TscEasy): Easy | undefined {
  return outers.get(inner);
}
/** The tscurl Easy behind a compat Easy (for Multi, Share and Mime in this layer). */
export function innerEasy(easy: Easy): TscEasy {
  // a private field read, not a WeakMap lookup: this runs several times per transfer on curly's path
  const inner = Easy.innerOf(easy);
  if (!inner) throw new TypeError('Argument must be an instance of an Easy handle.');
  return inner;
}

let lastId = 0;
/** the tscurl handle the next constructor call wraps instead of duplicating (adoptDuplicate) */
let adopting: TscEasy | null = null;

/**
 * A compat Easy around `inner`, a handle libcurl duplicated from `orig`'s
 * (an HTTP/2 server push): the application's callbacks are set again with
 * the new Easy as `this`, as dupHandle() does.
 */
export function adoptDuplicate(orig: Easy, inner: TscEasy): Easy {
  adopting = inner;
  try {
    return new Easy(orig);
  } finally {
    adopting = null;
  }
}

export class Easy {
  /** node-libcurl: any value the application wants to keep with the handle. */
  private: unknown = undefined;
  readonly #inner: TscEasy;
  readonly #id = ++lastId;
  #open = true;
  #pauseState = 0;
  #callbackError: unknown = undefined;
  /** the application's callbacks by option name, re-adapted for a dupHandle() */
  #userCallbacks = new Map<string, (...args: unknown[]) => unknown>();
  #watcher: SocketWatcher | null = null;
  #onSocketEvent: ((error: Error | null, events: number) => void) | null = null;
  /** set by the Multi this handle is in */
  multiOwner: { wake(): void } | null = null;

  /** `new Easy(other)` is other.dupHandle(), as node-libcurl's copy constructor. */
  constructor(orig?: Easy) {
    if (orig !== undefined && !(orig instanceof Easy)) {
      throw easyError('Argument must be an instance of an Easy handle.', CURLE.BAD_FUNCTION_ARGUMENT);
    }
    if (orig) orig.#checkOpen();
    this.#inner = adopting ?? (orig ? orig.#inner.duphandle() : new TscEasy());
    outers.set(this.#inner, this);
    // the copy's callbacks see the copy as `this`
    if (orig) for (const [name, fn] of orig.#userCallbacks) this.setOpt(name, fn);
  }

  /** @internal The tscurl handle of `easy`, undefined for anything that is not a compat Easy. */
  static innerOf(easy: unknown): TscEasy | undefined {
    return typeof easy === 'object' && easy !== null && #inner in easy ? easy.#inner : undefined;
  }

  /** curl_easy_strerror */
  static strError(errorCode: number): string {
    if (typeof errorCode !== 'number') throw new TypeError('Invalid errCode passed to Easy.strError.');
    return easyStrerror(errorCode as never);
  }

  get id(): number { return this.#id; }
  get isOpen(): boolean { return this.#open; }
  get isInsideMultiHandle(): boolean { return this.multiOwner !== null; }
  get isMonitoringSockets(): boolean { return this.#watcher !== null; }
  get pauseFlags(): number { return this.#pauseState; }
  get isPausedRecv(): boolean { return (this.#pauseState & 1) !== 0; }
  get isPausedSend(): boolean { return (this.#pauseState & 4) !== 0; }

  /** What a callback threw during the current or last transfer (node-libcurl keeps it for the Multi's message). */
  get callbackError(): unknown { return this.#callbackError; }
  /** A new transfer starts: forget the last one's callback error and pause state. */
  beginTransfer(): void {
    this.#callbackError = undefined;
    this.#pauseState = 0;
  }

  #host: CallbackHost = {
    self: this,
    callbackFailed: (error) => { this.#callbackError ??= error; },
    pausedBy: (bits) => { this.#pauseState |= bits; },
  };

  #checkOpen(): void {
    if (!this.#open) throw easyError('Curl handle is closed.', CURLE.BAD_FUNCTION_ARGUMENT);
  }

  /** curl_easy_setopt: the CURLcode; throws for a value of the wrong type, as node-libcurl does. */
  setOpt(option: string | number, value: unknown): number {
    this.#checkOpen();
    if (arguments.length < 2) throw new TypeError('Wrong number of arguments.');
    const entry = resolveOption(option);
    if (!entry) return CURLE.UNKNOWN_OPTION;
    if (UNSUPPORTED.has(entry.name)) {
      throw easyError('Unsupported option, probably because it\'s too complex to implement using javascript or unecessary when using javascript (like the _DATA options).', CURLE.UNKNOWN_OPTION);
    }
    const converted = this.#convert(entry, value);
    if (converted === NOT_ADAPTED) return CURLE.NOT_BUILT_IN;
    switch (entry.name) {
      case 'HTTPPOST': return this.#inner.setopt('MIMEPOST', converted);
      case 'PUT': return this.#inner.setopt('UPLOAD', converted);
      case 'PROTOCOLS':
      case 'REDIR_PROTOCOLS': return this.#inner.setopt(`${entry.name}_STR`, protocolList(converted as number));
      default: return this.#inner.setopt(entry.name, converted);
    }
  }

  /** The tscurl value for a node-libcurl option value (TypeError when node-libcurl refuses its type). */
  #convert(entry: OptionEntry, value: unknown): unknown {
    switch (entry.name) {
      case 'SHARE':
        if (value === null) return null;
        if (!(value instanceof Share)) throw new TypeError('Argument must be an instance of a Share handle.');
        return innerShare(value);
      case 'MIMEPOST':
        if (value === null) return null;
        if (!(value instanceof CurlMime)) throw new TypeError('MIMEPOST option value should be a CurlMime instance.');
        return innerMime(value);
      case 'HTTPPOST':
        if (value === null) return null;
        if (!Array.isArray(value)) throw new TypeError('HTTPPOST option value should be an Array of Objects.');
        return httpPostToMime(value as HttpPostField[]);
      case 'PRIVATE':
        return value;
      default:
    }
    switch (entry.type) {
      case 'SLISTPOINT':
        if (value === null) return null;
        if (!Array.isArray(value)) throw new TypeError('Option value must be an Array.');
        return value.map((s) => String(s));
      case 'STRINGPOINT':
      case 'OBJECTPOINT':
        if (value === null || typeof value === 'string') return value;
        if (entry.name.endsWith('POSTFIELDS') && Buffer.isBuffer(value)) return value;
        throw new TypeError('Option value must be a string.');
      case 'BLOB':
        if (value === null) return null;
        if (typeof value === 'string') return Buffer.from(value);
        if (Buffer.isBuffer(value)) return value;
        if (value instanceof ArrayBuffer) return Buffer.from(value);
        throw new TypeError('Option value must be a string or Buffer.');
      case 'FUNCTIONPOINT': {
        if (value === null) {
          this.#userCallbacks.delete(entry.name);
          return null;
        }
        if (typeof value !== 'function') throw new TypeError('Option value must be a null or a function.');
        const adapted = adaptCallback(entry.name, value as (...args: unknown[]) => unknown, this.#host);
        // every function option of tscurl's table is adapted or UNSUPPORTED (test/unit/node-libcurl-callbacks.test.ts);
        // one the table gains before this layer knows its node-libcurl shape answers CURLE_NOT_BUILT_IN
        if (!adapted) return NOT_ADAPTED;
        this.#userCallbacks.set(entry.name, value as (...args: unknown[]) => unknown);
        return adapted;
      }
      default: {
        // LONG, VALUES, OFF_T, READDATA's descriptor: node-libcurl converts with ToNumber (true is 1)
        const n = Number(value);
        const int = Number.isFinite(n) ? Math.trunc(n) : 0;
        // the auth bitmasks are unsigned in libcurl: node-libcurl's CurlAuth.Any is -17 (~DigestIe as an int)
        return int < 0 && AUTH_MASKS.has(entry.name) ? int >>> 0 : int;
      }
    }
  }

  /** curl_easy_getinfo as { code, data }; throws CurlEasyError for an info node-libcurl does not offer. */
  getInfo(info: string | number): GetInfoReturn<any> {
    this.#checkOpen();
    const found = resolveInfo(info);
    if (!found) return { code: CURLE.UNKNOWN_OPTION, data: null };
    if (UNSUPPORTED_INFO.has(found.name)) {
      throw easyError('Unsupported info, probably because it\'s too complex to implement using javascript or unecessary when using javascript.', CURLE.UNKNOWN_OPTION);
    }
    const v = this.#inner.getinfo(found.id);
    if (found.id === CURLINFO.CERTINFO) {
      const ci = v as { certinfo?: string[][] } | null;
      return { code: CURLE.OK, data: ci?.certinfo ? ci.certinfo.flat() : [] };
    }
    // node-libcurl answers '' for a string libcurl has no value for (a NULL char*)
    return { code: CURLE.OK, data: v ?? '' };
  }

  /** curl_easy_pause; the new pause state is kept in pauseFlags. */
  pause(bitmask: number): number {
    if (!this.#open) throw new TypeError('Curl handle is closed');
    if (typeof bitmask !== 'number') throw new TypeError('Argument must be a bitmask');
    const code = this.#inner.pause(bitmask);
    if (code === CURLE.OK) {
      this.#pauseState = bitmask;
      this.multiOwner?.wake();
    }
    return code;
  }

  /** curl_easy_perform. A Promise of the CURLcode: tscurl never blocks the event loop (node-libcurl's blocks). */
  async perform(): Promise<number> {
    this.#checkOpen();
    this.beginTransfer();
    const code = await this.#inner.perform();
    if (this.#callbackError !== undefined) throw this.#callbackError;
    return code;
  }

  upkeep(): number {
    if (!this.#open) throw new TypeError('Curl handle is closed');
    return this.#inner.upkeep();
  }

  /** curl_easy_reset: options back to their defaults, callbacks gone. */
  reset(): number {
    this.#checkOpen();
    this.#userCallbacks.clear();
    return this.#inner.reset();
  }

  /** curl_easy_duphandle: a new Easy with the same options, its callbacks bound to the copy. */
  dupHandle(): Easy {
    return new Easy(this);
  }

  /** curl_easy_send on a CONNECT_ONLY connection. */
  send(data: Buffer): { code: number; bytesSent: number } {
    this.#checkOpen();
    if (!Buffer.isBuffer(data)) throw easyError('Invalid Buffer instance given.', CURLE.BAD_FUNCTION_ARGUMENT);
    const { code, n } = this.#inner.send(data);
    return { code, bytesSent: n };
  }

  /** curl_easy_recv on a CONNECT_ONLY connection. */
  recv(storage: Buffer): { code: number; bytesReceived: number } {
    this.#checkOpen();
    if (!Buffer.isBuffer(storage)) throw easyError('Invalid Buffer instance given.', CURLE.BAD_FUNCTION_ARGUMENT);
    const { code, n } = this.#inner.recv(storage);
    return { code, bytesReceived: n };
  }

  /** curl_ws_send */
  wsSend(buffer: Buffer, flags: number, fragsize = 0): { code: number; bytesSent: number } {
    this.#checkOpen();
    if (!Buffer.isBuffer(buffer)) throw easyError('Invalid Buffer instance given.', CURLE.BAD_FUNCTION_ARGUMENT);
    if (typeof flags !== 'number') throw easyError('Flags argument must be a number.', CURLE.BAD_FUNCTION_ARGUMENT);
    const { code, sent } = this.#inner.wsSend(buffer, fragsize, flags);
    return { code, bytesSent: sent };
  }

  /** curl_ws_recv */
  wsRecv(buffer: Buffer): { code: number; bytesReceived: number; meta: unknown } {
    this.#checkOpen();
    if (!Buffer.isBuffer(buffer)) throw easyError('Invalid Buffer instance given.', CURLE.BAD_FUNCTION_ARGUMENT);
    const r = this.#inner.wsRecv(buffer);
    return { code: r.code, bytesReceived: r.n, meta: r.meta ?? null };
  }

  /** curl_ws_meta */
  wsMeta(): unknown {
    this.#checkOpen();
    return this.#inner.wsMeta();
  }

  /** Easy#setMimePost: a CurlMime built from part descriptions, set as MIMEPOST. */
  setMimePost(parts: CurlyMimePart[]): this {
    this.setOpt('MIMEPOST', buildMimePost(this, parts));
    return this;
  }

  /** @internal libcurl freed the handle (a server push the application refused): this Easy is closed */
  markFreed(): void {
    this.#open = false;
    this.#userCallbacks.clear();
  }

  /** curl_easy_cleanup. Refused while the handle is in a Multi, as node-libcurl refuses it. */
  close(): void {
    if (!this.#open) throw easyError('Curl handle already closed.', CURLE.BAD_FUNCTION_ARGUMENT);
    if (this.multiOwner) throw easyError('Curl handle is inside a Multi instance, you must remove it first.', CURLE.BAD_FUNCTION_ARGUMENT);
    this.#open = false;
    this.#watcher?.stop();
    this.#watcher = null;
    this.#userCallbacks.clear();
    this.#inner.cleanup();
  }

  /** The callback monitorSocketEvents() calls with (null, SocketState bits) while the socket is ready. */
  onSocketEvent(cb: ((error: Error | null, events: number) => void) | null): this {
    if (cb !== null && typeof cb !== 'function') throw new TypeError('Invalid callback given.');
    this.#onSocketEvent = cb;
    return this;
  }

  /**
   * Watch the CONNECT_ONLY connection's socket (CURLINFO_ACTIVESOCKET) for
   * readable/writable, level-triggered as node-libcurl's uv_poll is.
   */
  monitorSocketEvents(): this {
    this.#checkOpen();
    if (this.#watcher) throw easyError('Already monitoring sockets!', CURLE.BAD_FUNCTION_ARGUMENT);
    const s = this.#inner.getinfo(CURLINFO.ACTIVESOCKET) as number;
    if (typeof s !== 'number' || s < 0) throw easyError('Received invalid socket from the current connection!', CURLE.BAD_FUNCTION_ARGUMENT);
    const w = new SocketWatcher(s);
    w.start(CURL_POLL.IN | CURL_POLL.OUT, (events) => this.#onSocketEvent?.call(this, null, events));
    this.#watcher = w;
    return this;
  }

  unmonitorSocketEvents(): this {
    this.#checkOpen();
    if (!this.#watcher) throw easyError('You are not monitoring the socket events.', CURLE.BAD_FUNCTION_ARGUMENT);
    this.#watcher.stop();
    this.#watcher = null;
    return this;
  }

  /** node-libcurl's debug log (a no-op unless its debug build): kept for API compatibility. */
  debugLog(_message: string): void {}
}

/** #convert's answer for a function option this layer has no adapter for: setOpt answers CURLE_NOT_BUILT_IN. */
const NOT_ADAPTED = Symbol('not adapted');
