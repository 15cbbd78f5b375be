// The HTTP/1.1 upgrade that starts a WebSocket connection (RFC 6455 4.1): the
// request headers a ws:// or wss:// GET carries, and the check of the answer.
//
// Request: libcurl's Curl_ws_request() adds, in this order, "Upgrade:
// websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13" and
// "Sec-WebSocket-Key: <base64 of 16 random bytes>", each only when the
// application did not set that header itself (Curl_checkheaders). When the
// application sets its own Sec-WebSocket-Key, that is the key the answer is
// checked against.
//
// Answer: libcurl fails every final status but 101 with
// CURLE_HTTP_RETURNED_ERROR, "Refused WebSocket upgrade: <code>" (http.c;
// WEBSOCKET.md: "even 2xx response codes are then considered error"). A 101
// from anything but HTTP/1.1 is CURLE_WEIRD_SERVER_REPLY, "unexpected 101
// response code", as in http.c.
//
// libcurl 8 does not check a 101's headers (WEBSOCKET.md lists verifying
// Sec-WebSocket-Accept as future work); RFC 6455 4.1 says the client MUST fail
// the connection when they are wrong, and issue 11 asks for it. So a 101
// without "Upgrade: websocket", without "Connection: Upgrade", whose
// Sec-WebSocket-Accept is missing or not base64(SHA-1(key + GUID)), or that
// names an extension or a subprotocol the request did not offer, fails too
// (libcurl offers none itself; an application offers them with its own
// Sec-WebSocket-Extensions / Sec-WebSocket-Protocol in HTTPHEADER, and then
// handles what it agreed to: an extension's frames need CURLWS_RAW_MODE).
// These get libcurl's code and message prefix for a refused upgrade,
// CURLE_HTTP_RETURNED_ERROR "Refused WebSocket upgrade: ...", with what was
// wrong after the colon instead of the status code.
import { createHash, randomBytes } from 'node:crypto';
import { CURLE } from '../codes.js';
import { tokenList, trimOws } from '../http1/header-fields.js';
import type { WsFailure } from './ws-flags.js';

/** RFC 6455 1.3: appended to the key before hashing. */
export const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A fresh Sec-WebSocket-Key: base64 of 16 random bytes (24 characters). */
export function newWebSocketKey(): string {
  return randomBytes(16).toString('base64');
}

/** The Sec-WebSocket-Accept a server must answer `key` with. */
export function webSocketAccept(key: string): string {
  return createHash('sha1').update(key + WS_GUID, 'latin1').digest('base64');
}

/** The upgrade headers in libcurl's order, as [name, value]. */
export function upgradeHeaderFields(key: string): Array<[string, string]> {
  return [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Version', '13'],
    ['Sec-WebSocket-Key', key],
  ];
}

/**
 * The request lines ("Name: value", no CRLF) to add to the GET, skipping the
 * headers the application set itself: `userHas(name)` answers whether a
 * custom header of that name (any case) is present.
 */
export function upgradeRequestLines(key: string, userHas: (name: string) => boolean = () => false): string[] {
  const out: string[] = [];
  for (const [name, value] of upgradeHeaderFields(key)) if (!userHas(name)) out.push(`${name}: ${value}`);
  return out;
}

export interface UpgradeCheckOptions {
  /** subprotocols the request offered in Sec-WebSocket-Protocol (none: the answer may name none) */
  requestedProtocols?: readonly string[];
  /** extension names the request offered in Sec-WebSocket-Extensions (none: the answer may name none) */
  requestedExtensions?: readonly string[];
}

export type UpgradeCheckResult = { ok: true; protocol: string | null } | ({ ok: false } & WsFailure);

function refused(detail: string): { ok: false } & WsFailure {
  return { ok: false, code: CURLE.HTTP_RETURNED_ERROR, message: `Refused WebSocket upgrade: ${detail}` };
}

/**
 * Checks the final response to an upgrade request, fed the way the HTTP/1
 * response parser delivers it: status(), then header() per field, then
 * finish() once the headers ended. A non-101 status can be judged at once:
 * status() returns the failure then (the headers need not be read).
 */
export class UpgradeResponseCheck {
  readonly #key: string;
  readonly #requested: readonly string[];
  readonly #offered: readonly string[];
  #version = 0;
  #code = 0;
  #upgrade: string[] = [];
  #connection: string[] = [];
  #accept: string[] = [];
  #extensions: string[] = [];
  #protocols: string[] = [];

  constructor(key: string, opts: UpgradeCheckOptions = {}) {
    this.#key = key;
    this.#requested = (opts.requestedProtocols ?? []).map((p) => p.toLowerCase());
    this.#offered = (opts.requestedExtensions ?? []).map((e) => e.toLowerCase());
  }

  /** The final status line; `version` as the parser gives it (11 for HTTP/1.1). Null while it may still pass. */
  status(version: number, code: number): ({ ok: false } & WsFailure) | null {
    this.#version = version;
    this.#code = code;
    return this.#statusFailure();
  }

  #statusFailure(): ({ ok: false } & WsFailure) | null {
    if (this.#code !== 101) return refused(String(this.#code));
    if (this.#version !== 11) return { ok: false, code: CURLE.WEIRD_SERVER_REPLY, message: 'unexpected 101 response code' };
    return null;
  }

  header(name: string, value: string): void {
    switch (name.toLowerCase()) {
      case 'upgrade':
        this.#upgrade.push(...tokenList(value));
        break;
      case 'connection':
        this.#connection.push(...tokenList(value));
        break;
      case 'sec-websocket-accept':
        this.#accept.push(trimOws(value));
        break;
      case 'sec-websocket-extensions':
        this.#extensions.push(...tokenList(value));
        break;
      case 'sec-websocket-protocol':
        this.#protocols.push(...tokenList(value));
        break;
    }
  }

  finish(): UpgradeCheckResult {
    const st = this.#statusFailure();
    if (st) return st;
    if (!this.#upgrade.includes('websocket')) return refused('101 without "Upgrade: websocket"');
    if (!this.#connection.includes('upgrade')) return refused('101 without "Connection: Upgrade"');
    if (this.#accept.length === 0) return refused('101 without Sec-WebSocket-Accept');
    if (this.#accept.length > 1 || this.#accept[0] !== webSocketAccept(this.#key)) {
      return refused('Sec-WebSocket-Accept does not match Sec-WebSocket-Key');
    }
    const unasked = this.#extensions.find((e) => !this.#offered.includes(e));
    if (unasked !== undefined) return refused(`extension "${unasked}" was not asked for`);
    if (this.#protocols.length > 1) return refused('more than one subprotocol in Sec-WebSocket-Protocol');
    const protocol = this.#protocols[0] ?? null;
    if (protocol !== null && !this.#requested.includes(protocol)) return refused(`subprotocol "${protocol}" was not asked for`);
    return { ok: true, protocol };
  }
}

/** The whole check at once, for a response already parsed. */
export function checkUpgradeResponse(
  key: string,
  version: number,
  code: number,
  headers: Iterable<readonly [string, string]>,
  opts: UpgradeCheckOptions = {},
): UpgradeCheckResult {
  const c = new UpgradeResponseCheck(key, opts);
  const st = c.status(version, code);
  if (st) return st;
  for (const [n, v] of headers) c.header(n, v);
  return c.finish();
}
