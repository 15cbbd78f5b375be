// Easy: the public easy handle (curl_easy_*). Options live in an OptionStore;
// transfers run in a multi — the application's, or for perform() a private
// one kept for the handle's lifetime so connections are reused across
// performs, as libcurl's easy interface does.
import { CURLE, type CURLcode } from '../codes.js';
import { CURLOPT } from './option-table.js';
import { OptionStore } from './option-store.js';
import type { OptionId, OptionValue } from './option-types.js';
import { getInfo, type InfoId, type InfoValue } from './getinfo.js';
import { CURLINFO, INFO_TABLE } from './info-table.js';
import { optionByName } from './option-store.js';
import { cookieCleanup, cookieDup, cookieInfoList, cookieSetopt } from './easy-cookies.js';
import { hstsCleanup, hstsDup, hstsSetopt } from './easy-hsts.js';
import { altSvcCleanup, altSvcDup, altSvcSetopt } from './easy-altsvc.js';
import { registerEasy, internalsOf, pauseTransfer, type EasyInternals } from './internals.js';
import { inAnyCallback } from '../util/callback-depth.js';
import { CURL_LOCK_DATA, shareInternals, withShareLock } from '../share/share.js';
import { escape as urlEscape, unescape as urlUnescape } from '../url/escape.js';
import { Multi, multiInCallback, abortEasyTransfer } from '../multi/multi.js';
import { CURLMOPT } from '../multi/mopt-table.js';
import { CURLMSG, CURLHE, type CURLHcode } from '../constants.js';
import { HeaderStore as HeaderStoreProbe, type CurlHeader } from './header-store.js';
import { Mime } from '../cr/mime.js';
import { sslEngineExists } from '../vtls/ssl-engine.js';
import { closeConnectOnly, connectOnlyRecv, connectOnlySend, type IoResult } from './connect-only.js';
import { wsMeta, wsRecv, wsSend, type WsRecvOutcome, type WsSendOutcome } from './ws-api.js';
import type { WsFrameMeta } from '../ws/ws-flags.js';
import { HeadLog } from '../cw/head-log.js';

const EMPTY_BYTES = Buffer.alloc(0);
const KNOWN_INFO = new Set(INFO_TABLE.map((i) => i.id));
/** Options with side effects in the handle's cookie engine. */
const COOKIE_OPTIONS = new Set<number>([CURLOPT.COOKIEFILE, CURLOPT.COOKIEJAR, CURLOPT.COOKIELIST]);
/** Options that turn the handle's HSTS or alt-svc engine on and name its file. */
const HSTS_OPTIONS = new Set<number>([CURLOPT.HSTS, CURLOPT.HSTS_CTRL]);
const ALTSVC_OPTIONS = new Set<number>([CURLOPT.ALTSVC, CURLOPT.ALTSVC_CTRL]);
// anything else a careless caller passes (undefined, an object) is no option: CURLE_UNKNOWN_OPTION, not a throw
const optionId = (option: unknown): number =>
  typeof option === 'number' ? option : typeof option === 'string' ? optionByName(option)?.id ?? -1 : -1;

export class Easy {
  #i: EasyInternals;
  #private: Multi | null = null;
  /** a failed setopt's message, and the transfer it came after (a new transfer clears it, as libcurl's does) */
  #setoptError: { message: string; after: unknown } | null = null;
  #performing = false;

  constructor() {
    this.#i = { opts: new OptionStore(), multi: null, transfer: null, cleaned: false };
    registerEasy(this, this.#i);
  }

  /** curl_easy_setopt. Options are numbers (CURLOPT.URL) or names ('URL', 'CURLOPT_URL'). */
  setopt<K extends OptionId>(option: K, value: OptionValue<K>): CURLcode;
  setopt(option: string, value: unknown): CURLcode;
  setopt(option: number | string, value: unknown): CURLcode {
    if (this.#i.cleaned) return CURLE.BAD_FUNCTION_ARGUMENT;
    const id = optionId(option);
    const before = id === CURLOPT.SHARE ? shareInternals(this.#i.opts.get(CURLOPT.SHARE)) : undefined;
    const rc = this.#i.opts.set(option, value);
    if (rc !== CURLE.OK) return rc;
    if (id === CURLOPT.SHARE) this.#shareChanged(before);
    if (COOKIE_OPTIONS.has(id)) {
      return this.#cookieLocked(() => cookieSetopt(this, this.#i.opts, id, value));
    }
    if (HSTS_OPTIONS.has(id)) return hstsSetopt(this, id, value);
    if (ALTSVC_OPTIONS.has(id)) return altSvcSetopt(this, id, value);
    if (id === CURLOPT.SSLENGINE && typeof value === 'string' && value !== '' && !sslEngineExists(value)) {
      return this.#setoptFail(CURLE.SSL_ENGINE_NOTFOUND, `SSL Engine '${value}' not found`);
    }
    if (option === CURLOPT.ERRORBUFFER && value && typeof value === 'object') {
      (value as { message: string }).message = '';
    }
    return rc;
  }

  /**
   * curl_easy_getinfo: the value for `info`, typed per CURLINFO id. An id
   * libcurl does not know answers CURLE_UNKNOWN_OPTION (the number), as
   * curl_easy_getinfo returns it; it never throws.
   */
  getinfo<K extends InfoId>(info: K): InfoValue<K>;
  getinfo(info: number): unknown;
  getinfo(info: number): unknown {
    if (!KNOWN_INFO.has(info as InfoId)) return CURLE.UNKNOWN_OPTION;
    if (info === CURLINFO.COOKIELIST) return this.#cookieLocked(() => cookieInfoList(this));
    // the handle's own setting, also before its first transfer
    if (info === CURLINFO.PRIVATE) return this.#i.opts.get(CURLOPT.PRIVATE);
    const v = getInfo(this.#i.transfer, info);
    return v === undefined ? CURLE.UNKNOWN_OPTION : v;
  }

  /**
   * curl_easy_escape: the bytes of `input` (a string's UTF-8, or a Buffer)
   * with everything but a-z, A-Z, 0-9, '-', '.', '_' and '~' as %XX.
   * `length` 0 reads up to the first NUL, as C's strlen; null where libcurl
   * returns NULL (negative length, input past 8000000 bytes).
   */
  escape(input: string | Uint8Array, length = 0): string | null {
    return urlEscape(input, length);
  }

  /**
   * curl_easy_unescape: %XX sequences decoded into their bytes (a Buffer:
   * its length is C's outlength; "%00" survives). `length` as escape().
   */
  unescape(input: string | Uint8Array, length = 0): Buffer | null {
    return urlUnescape(input, length);
  }

  /**
   * curl_easy_header: the `index`th header called `name` (any case) among the
   * `origin` bits (CURLH.*) of request `request` (0 the first, -1 the last)
   * of the current or last transfer.
   */
  header(name: string, index: number, origin: number, request: number): { code: CURLHcode; header?: CurlHeader } {
    const t = this.#i.transfer;
    if (!t) {
      // same argument checks as with a transfer, then "no headers"
      const probe = new HeaderStoreProbe().header(name, index, origin, request);
      return probe.code === CURLHE.BAD_ARGUMENT ? probe : { code: CURLHE.NOHEADERS };
    }
    return t.headerStore.header(name, index, origin, request);
  }

  /** curl_easy_nextheader: the header after `prev` (null: the first) in the scope of `origin` and `request`. */
  nextheader(origin: number, request: number, prev: CurlHeader | null): CurlHeader | null {
    return this.#i.transfer?.headerStore.nextheader(origin, request, prev) ?? null;
  }

  /**
   * @internal for node-libcurl's curly (src/compat, which sees only the public
   * classes): the last transfer's status line and header fields when its raw
   * header lines would parse into exactly them
   * (HeaderStore.exactResponseHead(): version, reason, then name, value
   * pairs), else null.
   */
  exactResponseHead(): string[] | null {
    return this.#i.transfer?.headerStore.exactResponseHead() ?? null;
  }

  /**
   * @internal for node-libcurl's curly: gather every header line of each
   * transfer (what a HEADERFUNCTION would get) in a buffer the handle keeps,
   * read with headerBytes(). Cheaper than a HEADERFUNCTION that copies them
   * (src/cw/head-log.ts). The setting survives transfers, not reset().
   */
  keepHeaderBytes(on: boolean): void {
    this.#i.headLog = on ? (this.#i.headLog ?? new HeadLog()) : null;
  }

  /** @internal The last transfer's header lines (keepHeaderBytes()), a view valid until the handle's next transfer; empty when not kept. */
  headerBytes(): Buffer {
    return this.#i.transfer?.headLog?.bytes() ?? EMPTY_BYTES;
  }

  /** CURLOPT_ERRORBUFFER's text: a failed setopt's since the last transfer, else the last transfer's ('' after success). */
  get errorBuffer(): string {
    const se = this.#setoptError;
    if (se && se.after === this.#i.transfer) return se.message;
    return this.#i.transfer?.errorMessage ?? '';
  }

  /**
   * What an application callback of the current or last transfer threw
   * (the first one; undefined when none threw). The transfer ended with
   * that callback's failure code and the error buffer names the callback
   * and the error (README "Callbacks that throw").
   */
  get lastCallbackError(): unknown {
    return this.#i.transfer?.callbackError?.value;
  }

  /** A failf() during setopt: the message goes to the error buffer at once, as in libcurl. */
  #setoptFail(code: CURLcode, message: string): CURLcode {
    this.#setoptError = { message, after: this.#i.transfer };
    const eb = this.#i.opts.get(CURLOPT.ERRORBUFFER) as { message: string } | null;
    if (eb) eb.message = message;
    return code;
  }

  /** curl_easy_perform: runs the transfer to completion without blocking the event loop. */
  async perform(): Promise<CURLcode> {
    if (this.#i.cleaned) return CURLE.BAD_FUNCTION_ARGUMENT;
    if (inAnyCallback()) return CURLE.RECURSIVE_API_CALL;
    if (this.#i.multi || this.#performing) return CURLE.FAILED_INIT;
    this.#performing = true;
    try {
      const m = (this.#private ??= new Multi());
      m.setopt(CURLMOPT.MAXCONNECTS, this.#i.opts.num(CURLOPT.MAXCONNECTS));
      if (m.addHandle(this) !== 0) return CURLE.FAILED_INIT;
      const t = this.#i.transfer!;
      let result: CURLcode = CURLE.OK;
      for (;;) {
        if (this.#private !== m) {
          // cleanup() during the wait ended the transfer and closed the multi
          result = t.result as CURLcode;
          break;
        }
        m.perform();
        const msg = m.infoRead();
        if (msg && msg.msg === CURLMSG.DONE) {
          result = msg.result;
          break;
        }
        await m.poll(1000);
      }
      if (this.#private === m) m.removeHandle(this);
      this.#fillErrorBuffer();
      return result;
    } finally {
      this.#performing = false;
    }
  }

  #fillErrorBuffer(): void {
    const eb = this.#i.opts.get(CURLOPT.ERRORBUFFER) as { message: string } | null;
    if (eb) eb.message = this.errorBuffer;
  }

  /** curl_easy_pause with CURLPAUSE bits. */
  pause(bitmask: number): CURLcode {
    const t = this.#i.transfer;
    if (!t || !this.#i.multi) return CURLE.BAD_FUNCTION_ARGUMENT;
    return pauseTransfer(this.#i.multi, t, bitmask);
  }

  /** curl_mime_init: a new Mime for CURLOPT_MIMEPOST (or as subparts of another part). */
  mimeInit(): Mime {
    return new Mime();
  }

  /**
   * curl_easy_reset: all options back to their defaults; connections are kept.
   * From inside a callback of the multi running this handle it is refused
   * with CURLE_RECURSIVE_API_CALL and changes nothing. Outside callbacks, a
   * transfer still running ends first with CURLE_ABORTED_BY_CALLBACK: a
   * pending perform() resolves with it, an application's multi queues its
   * DONE message (the handle stays added until removeHandle()).
   */
  reset(): CURLcode {
    if (this.#i.cleaned) return CURLE.BAD_FUNCTION_ARGUMENT;
    const m = this.#i.multi;
    if (m) {
      if (multiInCallback(m)) return CURLE.RECURSIVE_API_CALL;
      abortEasyTransfer(m, this, CURLE.ABORTED_BY_CALLBACK, 'Transfer aborted: the easy handle was reset during the transfer');
    }
    this.#leaveShare();
    closeConnectOnly(this.#i);
    this.#i.opts = new OptionStore();
    this.#i.headLog = null;
    if (!m) {
      // (a transfer still in a multi stays: removeHandle() needs it)
      this.#i.transfer?.retire();
      this.#i.transfer = null;
    }
    return CURLE.OK;
  }

  /** curl_easy_duphandle: a new handle with the same options (not the connections). */
  duphandle(): Easy {
    const e = new Easy();
    const i = internalsOf(e)!;
    i.opts = this.#i.opts.clone();
    const sh = shareInternals(i.opts.get(CURLOPT.SHARE));
    if (sh) sh.users++;
    cookieDup(this, e);
    hstsDup(this, e, i.opts);
    altSvcDup(this, e, i.opts);
    return e;
  }

  /**
   * curl_easy_cleanup: closes the handle's private connections and removes it
   * from an application's multi. From inside a callback of the multi running
   * this handle it is refused with CURLE_RECURSIVE_API_CALL and changes
   * nothing (libcurl: "must not be called from within a callback"). Outside
   * callbacks, a pending perform() ends with CURLE_ABORTED_BY_CALLBACK.
   */
  cleanup(): CURLcode {
    if (this.#i.cleaned) return CURLE.OK;
    const m = this.#i.multi;
    if (m && multiInCallback(m)) return CURLE.RECURSIVE_API_CALL;
    if (m && m === this.#private) {
      abortEasyTransfer(m, this, CURLE.ABORTED_BY_CALLBACK, 'Transfer aborted: the easy handle was cleaned up during perform()');
    }
    // libcurl writes COOKIEJAR when the handle is cleaned up
    this.#cookieLocked(() => cookieCleanup(this, this.#i.opts));
    // and the alt-svc and HSTS caches (Curl_altsvc_save, Curl_hsts_save; HSTSWRITEFUNCTION is called here)
    altSvcCleanup(this, this.#i.opts);
    hstsCleanup(this, this.#i.opts);
    if (m && m !== this.#private) (m as Multi).removeHandle(this);
    this.#private?.cleanup();
    this.#private = null;
    closeConnectOnly(this.#i);
    this.#leaveShare();
    this.#i.cleaned = true;
    return CURLE.OK;
  }

  /**
   * curl_easy_send on the connection a CONNECT_ONLY transfer left: sends
   * what the socket takes now ({ code: CURLE_OK, n }), CURLE_AGAIN when it
   * takes nothing (wait for OUT with a SocketWatcher on CURLINFO_ACTIVESOCKET).
   * Without CONNECT_ONLY or its connection: CURLE_UNSUPPORTED_PROTOCOL.
   */
  send(data: Buffer | Uint8Array | string): IoResult {
    if (this.#i.cleaned) return { code: CURLE.BAD_FUNCTION_ARGUMENT, n: 0 };
    if (inAnyCallback()) return { code: CURLE.RECURSIVE_API_CALL, n: 0 };
    return connectOnlySend(this.#i, data, (m) => this.#setoptFail(0, m));
  }

  /**
   * curl_easy_recv into `buffer`: { code: CURLE_OK, n } with the bytes
   * received (n = 0: the peer closed), CURLE_AGAIN when nothing is there
   * yet (wait for IN with a SocketWatcher), CURLE_RECV_ERROR on a reset.
   */
  recv(buffer: Buffer | Uint8Array): IoResult {
    if (this.#i.cleaned) return { code: CURLE.BAD_FUNCTION_ARGUMENT, n: 0 };
    if (inAnyCallback()) return { code: CURLE.RECURSIVE_API_CALL, n: 0 };
    return connectOnlyRecv(this.#i, buffer, (m) => this.#setoptFail(0, m));
  }

  /**
   * curl_ws_send: one frame (or, with CURLWS_OFFSET, part of one whose size
   * is `fragsize`) of `flags` (CURLWS_TEXT, BINARY, CLOSE, PING, PONG, CONT).
   * { code, sent }: the payload bytes the socket took; CURLE_AGAIN when it
   * took none (wait for OUT). Works on a CONNECT_ONLY=2 connection, and from
   * inside the write callback of a ws:// transfer.
   */
  wsSend(data: Buffer | Uint8Array | string, fragsize = 0, flags = 0): WsSendOutcome {
    if (this.#i.cleaned) return { code: CURLE.BAD_FUNCTION_ARGUMENT, sent: 0 };
    return wsSend(this.#i, data, fragsize, flags, inAnyCallback(), (m) => this.#setoptFail(0, m));
  }

  /**
   * curl_ws_recv into `buffer`: payload of one frame with its meta
   * (curl_ws_frame), CURLE_AGAIN when nothing is there yet (wait for IN),
   * CURLE_GOT_NOTHING once the connection is closed.
   */
  wsRecv(buffer: Buffer | Uint8Array): WsRecvOutcome {
    if (this.#i.cleaned) return { code: CURLE.BAD_FUNCTION_ARGUMENT, n: 0, meta: null };
    return wsRecv(this.#i, buffer, (m) => this.#setoptFail(0, m));
  }

  /** curl_ws_meta: inside the write callback of a ws:// transfer, what the piece being delivered is; else null. */
  wsMeta(): WsFrameMeta | null {
    return wsMeta(this.#i, inAnyCallback());
  }

  /**
   * curl_easy_upkeep: keeps the handle's connections alive. HTTP/1 has no
   * keep-alive message (libcurl sends HTTP/2 PINGs here), so there is
   * nothing to send yet.
   */
  upkeep(): CURLcode {
    if (this.#i.cleaned) return CURLE.BAD_FUNCTION_ARGUMENT;
    return CURLE.OK;
  }

  /** The handle stops using its share (cleanup, reset). */
  #leaveShare(): void {
    const sh = shareInternals(this.#i.opts.get(CURLOPT.SHARE));
    if (sh) withShareLock(sh, this, CURL_LOCK_DATA.SHARE, () => sh.users--);
  }

  /**
   * CURLOPT_SHARE changed from `before`: a share in use refuses to change
   * what it shares or to be cleaned up, so each one counts its handles,
   * under CURL_LOCK_DATA_SHARE as libcurl's setopt does.
   */
  #shareChanged(before: ReturnType<typeof shareInternals>): void {
    if (before) withShareLock(before, this, CURL_LOCK_DATA.SHARE, () => before.users--);
    const now = shareInternals(this.#i.opts.get(CURLOPT.SHARE));
    if (now) withShareLock(now, this, CURL_LOCK_DATA.SHARE, () => now.users++);
  }

  /** A cookie-engine call, under the share's CURL_LOCK_DATA_COOKIE lock when the share holds the cookies. */
  #cookieLocked<R>(fn: () => R): R {
    const sh = shareInternals(this.#i.opts.get(CURLOPT.SHARE));
    return sh ? withShareLock(sh, this, CURL_LOCK_DATA.COOKIE, fn) : fn();
  }
}

