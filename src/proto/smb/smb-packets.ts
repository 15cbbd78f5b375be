// SMBv1 ("NT LM 0.12") messages as libcurl 7.88's lib/smb.c builds and reads
// them: each one a 4-byte NetBIOS session header, the 32-byte SMB header,
// the parameter words and the byte block. Sans-I/O: builders return the
// bytes to send, SmbMessageReader frames what arrives. Strings go as bytes
// (libcurl does not set FLAGS2_UNICODE), numbers little-endian but the
// NetBIOS length (big-endian, 16 bits as libcurl reads it).
import { CURLE, type CURLcode } from '../../codes.js';

/** SMB command codes (MS-CIFS 2.2.2.1) libcurl sends */
export const SMB_COM = {
  CLOSE: 0x04,
  READ_ANDX: 0x2e,
  WRITE_ANDX: 0x2f,
  TREE_DISCONNECT: 0x71,
  NEGOTIATE: 0x72,
  SETUP_ANDX: 0x73,
  TREE_CONNECT_ANDX: 0x75,
  NT_CREATE_ANDX: 0xa2,
  NO_ANDX_COMMAND: 0xff,
} as const;

/** the NetBIOS header plus the SMB header (libcurl's sizeof(struct smb_header)) */
export const SMB_HEADER_SIZE = 36;
/** what one READ_ANDX asks for and one WRITE_ANDX carries at most (libcurl's MAX_PAYLOAD_SIZE) */
export const MAX_PAYLOAD_SIZE = 0x8000;
/** the largest message libcurl takes (its receive buffer, MAX_MESSAGE_SIZE) */
export const MAX_MESSAGE_SIZE = MAX_PAYLOAD_SIZE + 0x1000;
/** STATUS_ACCESS_DENIED as DOS error class/code (libcurl's SMB_ERR_NOACCESS) */
export const SMB_ERR_NOACCESS = 0x00050001;
/** size of an NT_CREATE_ANDX response libcurl needs (sizeof(struct smb_nt_create_response)) */
export const NT_CREATE_RESPONSE_SIZE = 100;
/** the WRITE_ANDX header before the data: SMB header, 14 words, byte count and one pad byte */
export const WRITE_HEADER_SIZE = SMB_HEADER_SIZE + 32;

/** what libcurl sends as its OS in SESSION_SETUP_ANDX: Debian's build names its host triplet */
export const SMB_NATIVE_OS = 'x86_64-pc-linux-gnu';
/** libcurl's CLIENTNAME, the "native LAN manager" */
export const SMB_CLIENT_NAME = 'curl';
/** TREE_CONNECT_ANDX's service: "?????" matches any type of share */
const SMB_SERVICE_ANY = '?????';

const FLAGS_CANONICAL_PATHNAMES = 0x10;
const FLAGS_CASELESS_PATHNAMES = 0x08;
const FLAGS2_IS_LONG_NAME = 0x0040;
const FLAGS2_KNOWS_LONG_NAME = 0x0001;
const CAP_LARGE_FILES = 0x08;
const GENERIC_READ = 0x80000000;
const GENERIC_WRITE = 0x40000000;
const FILE_SHARE_ALL = 0x07;
const FILE_OPEN = 0x01;
const FILE_OVERWRITE_IF = 0x05;

/** The ids every message of a connection or request carries in its header. */
export interface SmbIds {
  uid: number;
  tid: number;
  pid: number;
}

/** A whole message: headers (smb_format_message) before the parameters and bytes. */
export function smbMessage(cmd: number, ids: SmbIds, body: Buffer, extra = 0): Buffer {
  const m = Buffer.alloc(SMB_HEADER_SIZE + body.length);
  writeHeader(m, cmd, ids, body.length + extra);
  body.copy(m, SMB_HEADER_SIZE);
  return m;
}

/** The NetBIOS and SMB headers for a message of `len` bytes after them. */
function writeHeader(m: Buffer, cmd: number, ids: SmbIds, len: number): void {
  m.writeUInt16BE((SMB_HEADER_SIZE - 4 + len) & 0xffff, 2);
  m.write('\xffSMB', 4, 'latin1');
  m[8] = cmd;
  m[13] = FLAGS_CANONICAL_PATHNAMES | FLAGS_CASELESS_PATHNAMES;
  m.writeUInt16LE(FLAGS2_IS_LONG_NAME | FLAGS2_KNOWS_LONG_NAME, 14);
  m.writeUInt16LE((ids.pid >>> 16) & 0xffff, 16);
  m.writeUInt16LE(ids.tid & 0xffff, 28);
  m.writeUInt16LE(ids.pid & 0xffff, 30);
  m.writeUInt16LE(ids.uid & 0xffff, 32);
}

/** NEGOTIATE with the one dialect libcurl speaks. */
export function negotiateBody(): Buffer {
  return Buffer.from('\x00\x0c\x00\x02NT LM 0.12\x00', 'latin1');
}

/** The strings of a byte block, each with its terminating zero. */
function zstrings(...parts: Buffer[]): Buffer {
  return Buffer.concat(parts.flatMap((p) => [p, Buffer.alloc(1)]));
}

/** libcurl's limit on a byte block (the 1024-byte bytes[] of its structs): beyond it, CURLE_FILESIZE_EXCEEDED. */
const MAX_BYTES = 1024;

export interface SetupLogin {
  user: Buffer;
  domain: Buffer;
  /** the 24-byte LM and NT responses to the server's challenge */
  lm: Buffer;
  nt: Buffer;
  sessionKey: number;
}

/** SESSION_SETUP_ANDX with the LM and NT responses, or CURLE_FILESIZE_EXCEEDED when the names do not fit. */
export function setupBody(l: SetupLogin): Buffer | CURLcode {
  const bytes = Buffer.concat([l.lm, l.nt, zstrings(l.user, l.domain, Buffer.from(SMB_NATIVE_OS), Buffer.from(SMB_CLIENT_NAME))]);
  if (bytes.length > MAX_BYTES) return CURLE.FILESIZE_EXCEEDED;
  const p = Buffer.alloc(29);
  p[0] = 13;
  p[1] = SMB_COM.NO_ANDX_COMMAND;
  p.writeUInt16LE(MAX_MESSAGE_SIZE, 5);
  p.writeUInt16LE(1, 7); // max_mpx_count
  p.writeUInt16LE(1, 9); // vc_number
  p.writeUInt32LE(l.sessionKey >>> 0, 11);
  p.writeUInt16LE(l.lm.length, 15);
  p.writeUInt16LE(l.nt.length, 17);
  p.writeUInt32LE(CAP_LARGE_FILES, 23);
  p.writeUInt16LE(bytes.length, 27);
  return Buffer.concat([p, bytes]);
}

/** TREE_CONNECT_ANDX to \\host\share, any service, no password. */
export function treeConnectBody(host: Buffer, share: Buffer): Buffer | CURLcode {
  const bytes = Buffer.concat([Buffer.from('\\\\'), host, Buffer.from('\\'), zstrings(share, Buffer.from(SMB_SERVICE_ANY))]);
  if (bytes.length > MAX_BYTES) return CURLE.FILESIZE_EXCEEDED;
  const p = Buffer.alloc(11);
  p[0] = 4;
  p[1] = SMB_COM.NO_ANDX_COMMAND;
  p.writeUInt16LE(bytes.length, 9);
  return Buffer.concat([p, bytes]);
}

/** NT_CREATE_ANDX of `path` (backslashes): read, or read-write and created or truncated for an upload. */
export function ntCreateBody(path: Buffer, upload: boolean): Buffer | CURLcode {
  if (path.length + 1 > MAX_BYTES) return CURLE.FILESIZE_EXCEEDED;
  const p = Buffer.alloc(51);
  p[0] = 24;
  p[1] = SMB_COM.NO_ANDX_COMMAND;
  p.writeUInt16LE(path.length, 6);
  p.writeUInt32LE(upload ? (GENERIC_READ | GENERIC_WRITE) >>> 0 : GENERIC_READ, 16);
  p.writeUInt32LE(FILE_SHARE_ALL, 32);
  p.writeUInt32LE(upload ? FILE_OVERWRITE_IF : FILE_OPEN, 36);
  p.writeUInt16LE(path.length + 1, 49);
  return Buffer.concat([p, zstrings(path)]);
}

/** READ_ANDX of MAX_PAYLOAD_SIZE bytes at `offset`. */
export function readBody(fid: number, offset: number): Buffer {
  const p = Buffer.alloc(27);
  p[0] = 12;
  p[1] = SMB_COM.NO_ANDX_COMMAND;
  p.writeUInt16LE(fid, 5);
  p.writeUInt32LE(offset % 0x100000000, 7);
  p.writeUInt16LE(MAX_PAYLOAD_SIZE, 11); // max_bytes
  p.writeUInt16LE(MAX_PAYLOAD_SIZE, 13); // min_bytes
  p.writeUInt32LE(Math.floor(offset / 0x100000000), 21);
  return p;
}

/** WRITE_ANDX's headers for `size` data bytes at `offset` (the data follows them). */
export function writeHeaderFor(ids: SmbIds, fid: number, offset: number, size: number): Buffer {
  const m = Buffer.alloc(WRITE_HEADER_SIZE);
  writeHeader(m, SMB_COM.WRITE_ANDX, ids, WRITE_HEADER_SIZE - SMB_HEADER_SIZE + size);
  const p = SMB_HEADER_SIZE;
  m[p] = 14;
  m[p + 1] = SMB_COM.NO_ANDX_COMMAND;
  m.writeUInt16LE(fid, p + 5);
  m.writeUInt32LE(offset % 0x100000000, p + 7);
  m.writeUInt16LE(size, p + 21);
  m.writeUInt16LE(WRITE_HEADER_SIZE - 4, p + 23); // the data's offset from the SMB header
  m.writeUInt32LE(Math.floor(offset / 0x100000000), p + 25);
  m.writeUInt16LE(size + 1, p + 29);
  return m;
}

export function closeBody(fid: number): Buffer {
  const p = Buffer.alloc(9);
  p[0] = 3;
  p.writeUInt16LE(fid, 1);
  return p;
}

export function treeDisconnectBody(): Buffer {
  return Buffer.alloc(3);
}

/** A received message, its NetBIOS header included (libcurl's recv_buf), and what its header says. */
export interface SmbReply {
  raw: Buffer;
  status: number;
  tid: number;
  uid: number;
}

/** The fields of a NEGOTIATE response libcurl uses, or null when it is too short (an SMB header, 37 bytes of words, the challenge). */
export function negotiateReply(m: SmbReply): { challenge: Buffer; sessionKey: number } | null {
  if (m.raw.length < 74 + 8 - 1) return null;
  return { challenge: Buffer.from(m.raw.subarray(73, 81)), sessionKey: m.raw.readUInt32LE(52) };
}

/** NT_CREATE_ANDX's answer: the file id, its size and its change time (a FILETIME). */
export function ntCreateReply(m: SmbReply): { fid: number; size: bigint; changeTime: bigint } | null {
  if (m.raw.length < NT_CREATE_RESPONSE_SIZE) return null;
  return { fid: m.raw.readUInt16LE(42), size: m.raw.readBigInt64LE(92), changeTime: m.raw.readBigInt64LE(72) };
}

/** READ_ANDX's data, or null when its length or offset points outside the message. */
export function readReply(m: SmbReply): Buffer | 'short' | 'invalid' {
  if (m.raw.length < SMB_HEADER_SIZE + 14 + 1) return 'short';
  const len = m.raw.readUInt16LE(SMB_HEADER_SIZE + 11);
  const off = m.raw.readUInt16LE(SMB_HEADER_SIZE + 13);
  if (len === 0) return Buffer.alloc(0);
  if (off + 4 + len > m.raw.length) return 'invalid';
  return m.raw.subarray(off + 4, off + 4 + len);
}

/** WRITE_ANDX's count of bytes written, or null when the reply is short. */
export function writeReply(m: SmbReply): number | null {
  if (m.raw.length < SMB_HEADER_SIZE + 6 + 1) return null;
  return m.raw.readUInt16LE(SMB_HEADER_SIZE + 5);
}

/** Seconds since 1970 of a FILETIME (libcurl's get_posix_time). */
export function fileTimeToUnix(ft: bigint): number {
  return Number((ft - 116444736000000000n) / 10000000n);
}

/**
 * Frames received bytes into messages (smb_recv_message): the NetBIOS length
 * says where one ends. One longer than libcurl's buffer, or whose word or
 * byte count claims more than its length, is an error, not a wait.
 */
export class SmbMessageReader {
  #buf: Buffer = Buffer.alloc(0);

  feed(data: Buffer): void {
    this.#buf = this.#buf.length === 0 ? data : Buffer.concat([this.#buf, data]);
  }

  /** The next whole message, 'need' for more bytes, or a CURLcode for a message that cannot be. */
  next(): SmbReply | 'need' | CURLcode {
    const b = this.#buf;
    if (b.length < 4) return 'need';
    const size = b.readUInt16BE(2) + 4;
    if (size > MAX_MESSAGE_SIZE) return CURLE.RECV_ERROR;
    if (b.length < size) return 'need';
    let msgSize = SMB_HEADER_SIZE;
    if (size >= msgSize + 1) {
      msgSize += 1 + b[msgSize]! * 2;
      if (size >= msgSize + 2) {
        msgSize += 2 + b.readUInt16LE(msgSize);
        if (size < msgSize) return CURLE.READ_ERROR;
      }
    }
    if (size < SMB_HEADER_SIZE || b.readUInt32BE(4) !== 0xff534d42) return CURLE.RECV_ERROR;
    // libcurl drops whatever came after the message (smb_pop_message): one request is in flight at a time
    const raw = Buffer.from(b.subarray(0, size));
    this.#buf = Buffer.alloc(0);
    return { raw, status: raw.readUInt32LE(9), tid: raw.readUInt16LE(28), uid: raw.readUInt16LE(32) };
  }

  /** Received bytes must stop being views of reused memory. */
  retain(): void {
    if (this.#buf.length > 0) this.#buf = Buffer.from(this.#buf);
  }
}
