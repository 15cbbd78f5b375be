// The frames a WebSocket client sends (RFC 6455 5.2/5.3), with curl_ws_send()'s
// rules for turning its flags into a frame (libcurl 8's ws_frame_flags2firstbyte
// and ws_enc_write_head). Sans-I/O: it makes bytes, the session sends them.
//
// Every client frame is masked (RFC 6455 5.3) with a fresh 4-byte key per
// frame from node:crypto. Keys come from a pool filled 1 KiB at a time, so a
// frame costs no call into the CSPRNG.
//
// A frame can be written in parts: startFrame() makes the header for a given
// payload length (all of it, or `fragsize` for CURLWS_OFFSET), then mask()
// is called with the payload as it comes, until frameRemaining is 0. A new
// frame cannot start before that, as in libcurl.
//
// Errors, libcurl's codes and messages:
//   flags 0 / CURLWS_CONT alone outside a fragmented message  CURLE_BAD_FUNCTION_ARGUMENT
//   CLOSE/PING/PONG with CURLWS_CONT, unknown flag bits       CURLE_BAD_FUNCTION_ARGUMENT
//   CLOSE/PING/PONG payload over 125 bytes                    CURLE_TOO_LARGE "[WS] given PING frame is too big"
//   negative length, a new frame before the last one is done  CURLE_SEND_ERROR
import { randomFillSync } from 'node:crypto';
import { CURLE } from '../codes.js';
import { CURLWS, WSBIT, WS_OPCODE, WS_MAX_CONTROL_PAYLOAD, type WsFailure } from './ws-flags.js';

const POOL_SIZE = 1024;

/** Random masking keys, 4 bytes each, from a pool refilled by node:crypto. */
export class WsMaskPool {
  #pool = Buffer.allocUnsafe(POOL_SIZE);
  #at = POOL_SIZE;

  /** Write a fresh key into out[at..at+4]. */
  next(out: Buffer, at: number): void {
    if (this.#at === POOL_SIZE) {
      randomFillSync(this.#pool);
      this.#at = 0;
    }
    this.#pool.copy(out, at, this.#at, this.#at + 4);
    this.#at += 4;
  }
}

export type WsHeadResult = { ok: true; header: Buffer } | ({ ok: false } & WsFailure);

function bad(code: number, message: string): { ok: false } & WsFailure {
  return { ok: false, code, message };
}

/**
 * The first byte of a frame for curl_ws_send()'s `flags` (CURLWS_OFFSET
 * ignored), given whether a fragmented message is being sent: its later
 * frames go out as CONT opcode frames whatever type bit they carry.
 */
export function firstByteFor(flags: number, contFragment: boolean): number | ({ ok: false } & WsFailure) {
  const BAD = CURLE.BAD_FUNCTION_ARGUMENT;
  switch (flags & ~CURLWS.OFFSET) {
    case 0:
      // "only supported for backwards compatibility": the final fragment
      if (contFragment) return WS_OPCODE.CONT | WSBIT.FIN;
      return bad(BAD, '[WS] no flags given');
    case CURLWS.CONT:
      if (contFragment) return WS_OPCODE.CONT;
      return bad(BAD, '[WS] No ongoing fragmented message to continue');
    case CURLWS.TEXT:
      return contFragment ? WS_OPCODE.CONT | WSBIT.FIN : WS_OPCODE.TEXT | WSBIT.FIN;
    case CURLWS.TEXT | CURLWS.CONT:
      return contFragment ? WS_OPCODE.CONT : WS_OPCODE.TEXT;
    case CURLWS.BINARY:
      return contFragment ? WS_OPCODE.CONT | WSBIT.FIN : WS_OPCODE.BIN | WSBIT.FIN;
    case CURLWS.BINARY | CURLWS.CONT:
      return contFragment ? WS_OPCODE.CONT : WS_OPCODE.BIN;
    case CURLWS.CLOSE:
      return WS_OPCODE.CLOSE | WSBIT.FIN;
    case CURLWS.CLOSE | CURLWS.CONT:
      return bad(BAD, '[WS] CLOSE frame must not be fragmented');
    case CURLWS.PING:
      return WS_OPCODE.PING | WSBIT.FIN;
    case CURLWS.PING | CURLWS.CONT:
      return bad(BAD, '[WS] PING frame must not be fragmented');
    case CURLWS.PONG:
      return WS_OPCODE.PONG | WSBIT.FIN;
    case CURLWS.PONG | CURLWS.CONT:
      return bad(BAD, '[WS] PONG frame must not be fragmented');
    default:
      return bad(BAD, `[WS] unknown flags: ${flags.toString(16)}`);
  }
}

export class WsFrameEncoder {
  readonly #masks: WsMaskPool;
  /** the current frame's masking key, and where in it the next payload byte is */
  #mask = Buffer.alloc(4);
  #maskAt = 0;
  #remaining = 0;
  #contFragment = false;

  constructor(masks: WsMaskPool = new WsMaskPool()) {
    this.#masks = masks;
  }

  /** Payload bytes the frame begun by startFrame() still needs. */
  get frameRemaining(): number {
    return this.#remaining;
  }

  /** A fragmented message was begun and its final frame not yet started. */
  get inFragmentedMessage(): boolean {
    return this.#contFragment;
  }

  /**
   * The header (2 to 14 bytes, masking key included) of a frame carrying
   * `payloadLength` bytes. The payload then goes through mask().
   */
  startFrame(flags: number, payloadLength: number): WsHeadResult {
    if (!Number.isSafeInteger(payloadLength)) return bad(CURLE.BAD_FUNCTION_ARGUMENT, `[WS] invalid frame length ${payloadLength}`);
    if (payloadLength < 0) return bad(CURLE.SEND_ERROR, `[WS] starting new frame with negative payload length ${payloadLength}`);
    if (this.#remaining > 0) {
      return bad(CURLE.SEND_ERROR, `[WS] starting new frame with ${this.#remaining} bytes from last one remaining to be sent`);
    }
    const first = firstByteFor(flags, this.#contFragment);
    if (typeof first !== 'number') return first;
    const opcode = first & WSBIT.OPCODE_MASK;
    if (opcode >= WS_OPCODE.CLOSE) {
      if (payloadLength > WS_MAX_CONTROL_PAYLOAD) {
        const name = opcode === WS_OPCODE.CLOSE ? 'CLOSE' : opcode === WS_OPCODE.PING ? 'PING' : 'PONG';
        return bad(CURLE.TOO_LARGE, `[WS] given ${name} frame is too big`);
      }
    } else {
      // a data frame: the message goes on unless this one has FIN
      this.#contFragment = !(first & WSBIT.FIN);
    }
    const lenBytes = payloadLength > 65535 ? 8 : payloadLength >= 126 ? 2 : 0;
    const header = Buffer.allocUnsafe(2 + lenBytes + 4);
    header[0] = first;
    if (lenBytes === 8) {
      header[1] = 127 | WSBIT.MASK;
      header.writeUInt32BE(Math.floor(payloadLength / 0x100000000), 2);
      header.writeUInt32BE(payloadLength >>> 0, 6);
    } else if (lenBytes === 2) {
      header[1] = 126 | WSBIT.MASK;
      header.writeUInt16BE(payloadLength, 2);
    } else header[1] = payloadLength | WSBIT.MASK;
    this.#masks.next(header, 2 + lenBytes);
    header.copy(this.#mask, 0, 2 + lenBytes);
    this.#maskAt = 0;
    this.#remaining = payloadLength;
    return { ok: true, header };
  }

  /**
   * Masked copy of the next payload bytes of the current frame: at most
   * frameRemaining of them, so `result.length` tells how many were taken.
   */
  mask(data: Uint8Array): Buffer {
    const n = Math.min(data.length, this.#remaining);
    const out = Buffer.allocUnsafe(n);
    this.#maskInto(data, n, out, 0);
    return out;
  }

  /** A whole frame, header and masked payload in one Buffer (control frames, small sends). */
  frame(flags: number, payload: Uint8Array): { ok: true; bytes: Buffer } | ({ ok: false } & WsFailure) {
    const h = this.startFrame(flags, payload.length);
    if (!h.ok) return h;
    const bytes = Buffer.allocUnsafe(h.header.length + payload.length);
    h.header.copy(bytes, 0);
    this.#maskInto(payload, payload.length, bytes, h.header.length);
    return { ok: true, bytes };
  }

  #maskInto(data: Uint8Array, n: number, out: Buffer, at: number): void {
    const m = this.#mask;
    let k = this.#maskAt;
    for (let i = 0; i < n; i++) {
      out[at + i] = data[i]! ^ m[k]!;
      k = (k + 1) & 3;
    }
    this.#maskAt = k;
    this.#remaining -= n;
  }
}
