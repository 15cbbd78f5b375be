// TFTP packets (RFC 1350, with the option extension of RFC 2347 and the
// blksize/tsize/timeout options of RFC 2348/2349), as libcurl's tftp.c
// builds and reads them. Sans-I/O: Buffers in, Buffers out.
import { CURLE, type CURLcode } from '../codes.js';

/** Opcodes, which libcurl's tftp.c also uses as its events. */
export const TFTP_OP = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;

export const TFTP_BLKSIZE_DEFAULT = 512;
export const TFTP_BLKSIZE_MIN = 8;
export const TFTP_BLKSIZE_MAX = 65464;

/** RFC 1350's error codes, and the two libcurl makes up for its own failures. */
export const TFTP_ERR = {
  UNDEF: 0, NOTFOUND: 1, PERM: 2, DISKFULL: 3, ILLEGAL: 4, UNKNOWNID: 5, EXISTS: 6, NOSUCHUSER: 7,
  NONE: -100, TIMEOUT: -99, NORESPONSE: -98,
} as const;

/** libcurl's tftp_translate_code(): the CURLcode of a TFTP error (0 for none). */
export function tftpErrorCode(error: number): CURLcode {
  switch (error) {
    case TFTP_ERR.NONE: return CURLE.OK;
    case TFTP_ERR.NOTFOUND: return CURLE.TFTP_NOTFOUND;
    case TFTP_ERR.PERM: return CURLE.TFTP_PERM;
    case TFTP_ERR.DISKFULL: return CURLE.REMOTE_DISK_FULL;
    case TFTP_ERR.UNDEF:
    case TFTP_ERR.ILLEGAL: return CURLE.TFTP_ILLEGAL;
    case TFTP_ERR.UNKNOWNID: return CURLE.TFTP_UNKNOWNID;
    case TFTP_ERR.EXISTS: return CURLE.REMOTE_FILE_EXISTS;
    case TFTP_ERR.NOSUCHUSER: return CURLE.TFTP_NOSUCHUSER;
    case TFTP_ERR.TIMEOUT: return CURLE.OPERATION_TIMEDOUT;
    case TFTP_ERR.NORESPONSE: return CURLE.COULDNT_CONNECT;
    // error 8 (option negotiation refused, RFC 2347) and anything else: what 7.88 answers
    default: return CURLE.ABORTED_BY_CALLBACK;
  }
}

/** The block number after `n` (16 bits, wrapping to 0). */
export const nextBlock = (n: number): number => (n + 1) & 0xffff;

/** What the first request carries (libcurl's tftp_send_first). */
export interface FirstRequest {
  upload: boolean;
  filename: Buffer;
  mode: 'octet' | 'netascii';
  /** null: TFTP_NO_OPTIONS */
  options: { tsize: number; blksize: number; timeout: number } | null;
}

export type Built = { ok: true; packet: Buffer } | { ok: false; message: string };

/**
 * An RRQ or WRQ. The first packet must fit the default block size (libcurl
 * writes it into a buffer of that size): a longer file name or the options
 * beyond it fail as they do there.
 */
export function buildRequest(r: FirstRequest): Built {
  const limit = TFTP_BLKSIZE_DEFAULT;
  if (r.filename.length > limit - r.mode.length - 4) return { ok: false, message: 'TFTP file name too long' };
  const parts: Buffer[] = [Buffer.from([0, r.upload ? TFTP_OP.WRQ : TFTP_OP.RRQ]), r.filename, Buffer.from(`\0${r.mode}\0`)];
  let size = 4 + r.filename.length + r.mode.length;
  if (r.options) {
    const { tsize, blksize, timeout } = r.options;
    for (const word of ['tsize', String(tsize), 'blksize', String(blksize), 'timeout', String(timeout)]) {
      // tftp_option_add: the option and its zero must stay within the block
      if (word.length + size + 1 > limit) return { ok: false, message: 'TFTP buffer too small for options' };
      parts.push(Buffer.from(`${word}\0`, 'latin1'));
      size += word.length + 1;
    }
  }
  return { ok: true, packet: Buffer.concat(parts) };
}

export function buildAck(block: number): Buffer {
  return Buffer.from([0, TFTP_OP.ACK, (block >> 8) & 0xff, block & 0xff]);
}

/** libcurl's goodbye after an error of its own: opcode ERROR with the block number as the code, no text. */
export function buildErrorAck(block: number): Buffer {
  return Buffer.from([0, TFTP_OP.ERROR, (block >> 8) & 0xff, block & 0xff]);
}

/** A DATA packet header followed by room for `blksize` bytes. */
export function dataPacket(block: number, payload: Buffer): Buffer {
  const p = Buffer.allocUnsafe(4 + payload.length);
  p[0] = 0;
  p[1] = TFTP_OP.DATA;
  p.writeUInt16BE(block & 0xffff, 2);
  payload.copy(p, 4);
  return p;
}

/** The 16-bit field after the opcode: the block number, or an ERROR's code. */
export const packetBlock = (p: Buffer): number => p.readUInt16BE(2);
export const packetOp = (p: Buffer): number => p.readUInt16BE(0);

/** An ERROR packet's message, when it is zero-terminated within the packet (7.88 prints only then). */
export function errorText(p: Buffer): string | null {
  const rest = p.subarray(4);
  const z = rest.indexOf(0);
  return z < 0 ? null : rest.subarray(0, z).toString('latin1');
}

export type OackOption = { name: string; value: string };

/**
 * The option/value pairs of an OACK (libcurl's tftp_option_get loop), or
 * null when one is malformed ("Malformed ACK packet, rejecting").
 */
export function parseOack(p: Buffer): OackOption[] | null {
  const buf = p.subarray(2);
  const out: OackOption[] = [];
  let at = 0;
  // bounded by the packet: every pass consumes at least two bytes
  while (at < buf.length) {
    const len = buf.length - at;
    const z1 = buf.indexOf(0, at);
    const nameLen = (z1 < 0 ? buf.length : z1) - at;
    if (nameLen + 1 >= len) return null;
    const vStart = at + nameLen + 1;
    const z2 = buf.indexOf(0, vStart);
    const valueLen = (z2 < 0 ? buf.length : z2) - vStart;
    if (nameLen + 1 + valueLen + 1 > len) return null;
    out.push({ name: buf.toString('latin1', at, at + nameLen), value: buf.toString('latin1', vStart, vStart + valueLen) });
    at = vStart + valueLen + 1;
  }
  return out;
}

/** C's strtol(value, NULL, 10) for the small numbers of an OACK: leading digits, 0 when none. */
export function strtol(value: string): number {
  const m = /^\s*([+-]?\d+)/.exec(value);
  if (!m) return 0;
  const n = Number(m[1]);
  return Number.isFinite(n) ? n : 0;
}
