// HTTP/2 by HTTP/1.1 Upgrade (h2c, RFC 7540 3.2) on node:http2, which has no
// nghttp2_session_upgrade2(): after a "101 Switching Protocols" the server
// answers the HTTP/1.1 request as stream 1, a stream a fresh client session
// never opened. So the session opens stream 1 itself, as a placeholder
// request whose HEADERS frame never reaches the wire:
//
//   - it is the session's first request, sent with END_STREAM (stream 1 is
//     then half-closed (local), as after nghttp2_session_upgrade2), and every
//     field never-indexed (http2.sensitiveHeaders), so HPACK's dynamic table
//     on our side does not change: the server's decoder, which never sees
//     that block, stays in step with our encoder for the requests after it;
//   - H2cWire, between the session and the connection's transport, drops that
//     HEADERS frame (and any CONTINUATION of it) from what the session writes
//     and passes everything else: the preface, SETTINGS, WINDOW_UPDATE;
//   - until that frame went by, H2cWire gives the session nothing of what the
//     server sent (its SETTINGS, then HEADERS and DATA on stream 1): to
//     nghttp2, a frame on stream 1 before our HEADERS is a frame on an idle
//     stream, a PROTOCOL_ERROR. The transport's bytes do not count as
//     readable meanwhile (setUpperBlocked), so a poller does not spin.
//
// node:http2 sends the placeholder a few ticks after the session starts (its
// 'connect' is a tick late, the write a setImmediate after that); H2cWire
// then marks the transport readable and the transfer takes the server's
// answer on the placeholder stream inside a library call. Verified against
// Apache's mod_http2 and a scripted server (test/integration/h2c-upgrade*).
import { h2LocalSettings, type H2Transport } from './h2-session.js';
import type { RecvResult } from '../transport/stream-transport.js';

const PREFACE_LENGTH = 24;
const HEADERS = 1;
const CONTINUATION = 9;
const END_HEADERS = 0x4;
const AGAIN: RecvResult = Object.freeze({ kind: 'again' });

/** SETTINGS ids (RFC 9113 6.5.2) in the order curl 7.88 writes HTTP2-Settings, then what else our session sends. */
const SETTING_IDS: readonly [number, (s: ReturnType<typeof h2LocalSettings>) => number | undefined][] = [
  [3, (s) => s.maxConcurrentStreams],
  [4, (s) => s.initialWindowSize],
  [2, (s) => (s.enablePush === undefined ? undefined : s.enablePush ? 1 : 0)],
  [6, (s) => s.maxHeaderListSize],
];

/** The HTTP2-Settings header's value: the payload of the SETTINGS frame the session will send, base64url (RFC 7540 3.2.1). */
export function h2cSettingsHeader(enablePush: boolean): string {
  const s = h2LocalSettings(enablePush);
  const parts: Buffer[] = [];
  for (const [id, get] of SETTING_IDS) {
    const v = get(s);
    if (v === undefined) continue;
    const b = Buffer.alloc(6);
    b.writeUInt16BE(id, 0);
    b.writeUInt32BE(v, 2);
    parts.push(b);
  }
  return Buffer.concat(parts).toString('base64url');
}

/**
 * The transport as an upgraded session sees it: the placeholder's HEADERS
 * frame is taken out of what the session writes, and nothing is received
 * before it went by (see the header comment).
 */
export class H2cWire implements H2Transport {
  readonly #tr: H2Transport;
  /** the placeholder's HEADERS (and CONTINUATIONs) have not gone by yet: written bytes are parsed */
  #holding = true;
  #preface = PREFACE_LENGTH;
  /** written bytes of a frame not complete yet */
  #partial: Buffer | null = null;
  /** the session itself stopped taking input */
  #sessionBlocked = false;

  constructor(tr: H2Transport) {
    this.#tr = tr;
    tr.setUpperBlocked(true);
  }

  /** The placeholder went by: the server's frames may reach the session. */
  get released(): boolean {
    return !this.#holding;
  }

  get closed(): boolean {
    return this.#tr.closed;
  }

  get eof(): boolean {
    return this.#tr.eof;
  }

  get volatileRecv(): boolean {
    return this.#tr.volatileRecv;
  }

  recv(): RecvResult {
    return this.#holding ? AGAIN : this.#tr.recv();
  }

  setUpperBlocked(blocked: boolean): void {
    this.#sessionBlocked = blocked;
    this.#tr.setUpperBlocked(blocked || this.#holding);
  }

  setUpperPending(pending: boolean): void {
    this.#tr.setUpperPending(pending);
  }

  send(data: Buffer | string): { ok: true } | { ok: false; error: Error } {
    if (!this.#holding) return this.#tr.send(data);
    const out = this.#filter(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
    const r = out.length > 0 ? this.#tr.send(out) : ({ ok: true } as const);
    if (!this.#holding) {
      // the server's bytes count as readable again: the transfer runs and the session reads them (never from here:
      // this is inside node:http2's own write)
      this.#tr.setUpperBlocked(this.#sessionBlocked);
    }
    return r;
  }

  /** What of `chunk` goes to the wire: all of it but the placeholder's header block. */
  #filter(chunk: Buffer): Buffer {
    const keep: Buffer[] = [];
    let i = 0;
    if (this.#preface > 0) {
      const n = Math.min(this.#preface, chunk.length);
      keep.push(chunk.subarray(0, n));
      this.#preface -= n;
      i = n;
    }
    let buf = chunk.subarray(i);
    if (this.#partial !== null) {
      buf = Buffer.concat([this.#partial, buf]);
      this.#partial = null;
    }
    let at = 0;
    while (this.#holding && at < buf.length) {
      if (buf.length - at < 9) break;
      const end = at + 9 + buf.readUIntBE(at, 3);
      if (end > buf.length) break;
      const type = buf[at + 3]!;
      const stream = buf.readUInt32BE(at + 5) & 0x7fffffff;
      if (stream === 1 && (type === HEADERS || type === CONTINUATION)) {
        if (buf[at + 4]! & END_HEADERS) this.#holding = false;
      } else {
        keep.push(buf.subarray(at, end));
      }
      at = end;
    }
    if (this.#holding) {
      if (at < buf.length) this.#partial = Buffer.from(buf.subarray(at));
    } else if (at < buf.length) {
      keep.push(buf.subarray(at));
    }
    return keep.length === 1 ? keep[0]! : Buffer.concat(keep);
  }
}
