// A small SMB1 server on 127.0.0.1 for the SMB tests that need answers Samba
// never gives (short, lying or oversized messages, a connection closed
// mid-exchange) and for recording the exact bytes a client sends. It frames
// what arrives by the NetBIOS length and answers each message with what the
// test's `answer` returns for it: bytes, 'close', or undefined for the
// well-behaved answer (okReply): one file of `file` bytes behind any path.
import { createServer, type Server, type Socket } from 'node:net';

export const SMB1_COM = {
  CLOSE: 0x04, READ_ANDX: 0x2e, WRITE_ANDX: 0x2f, TREE_DISCONNECT: 0x71, NEGOTIATE: 0x72, SETUP_ANDX: 0x73,
  TREE_CONNECT_ANDX: 0x75, NT_CREATE_ANDX: 0xa2,
} as const;

export const SMB1_CHALLENGE = Buffer.from('0123456789abcdef', 'hex');

/** A reply: NetBIOS + SMB header (status, tid, uid), parameter words, byte block. */
export function smbReply(cmd: number, o: { status?: number; tid?: number; uid?: number; words?: Buffer; bytes?: Buffer; nbtLength?: number }): Buffer {
  const words = o.words ?? Buffer.alloc(0);
  const bytes = o.bytes ?? Buffer.alloc(0);
  const m = Buffer.alloc(36 + 1 + words.length + 2 + bytes.length);
  m.writeUInt16BE(o.nbtLength ?? m.length - 4, 2);
  m.write('\xffSMB', 4, 'latin1');
  m[8] = cmd;
  m.writeUInt32LE(o.status ?? 0, 9);
  m[13] = 0x80;
  m.writeUInt16LE(o.tid ?? 0, 28);
  m.writeUInt16LE(o.uid ?? 0, 32);
  m[36] = words.length / 2;
  words.copy(m, 37);
  m.writeUInt16LE(bytes.length, 37 + words.length);
  bytes.copy(m, 39 + words.length);
  return m;
}

/** The answer a well-behaved server gives to `msg` (file: the bytes every open file has). */
export function okReply(msg: Buffer, file: Buffer): Buffer {
  const cmd = msg[8]!;
  switch (cmd) {
    case SMB1_COM.NEGOTIATE: {
      const w = Buffer.alloc(34);
      w.writeUInt32LE(0x12345678, 15); // session key
      w[33] = 8; // challenge length
      return smbReply(cmd, { words: w, bytes: SMB1_CHALLENGE });
    }
    case SMB1_COM.SETUP_ANDX:
      return smbReply(cmd, { uid: 0x55, words: Buffer.from([0xff, 0, 0, 0, 0, 0]) });
    case SMB1_COM.TREE_CONNECT_ANDX:
      return smbReply(cmd, { uid: 0x55, tid: 0x77, words: Buffer.from([0xff, 0, 0, 0, 0, 0]) });
    case SMB1_COM.NT_CREATE_ANDX: {
      const w = Buffer.alloc(68);
      w[0] = 0xff;
      w.writeUInt16LE(0x4242, 5); // fid
      w.writeBigInt64LE(130000000000000000n, 35); // change time
      w.writeBigInt64LE(BigInt(file.length), 55); // end of file
      return smbReply(cmd, { uid: 0x55, tid: 0x77, words: w });
    }
    case SMB1_COM.READ_ANDX: {
      const offset = msg.readUInt32LE(36 + 7);
      const max = msg.readUInt16LE(36 + 11);
      const data = file.subarray(offset, offset + max);
      const w = Buffer.alloc(24);
      w[0] = 0xff;
      w.writeUInt16LE(data.length, 10);
      w.writeUInt16LE(32 + 1 + 24 + 2, 12); // data offset from the SMB header
      return smbReply(cmd, { uid: 0x55, tid: 0x77, words: w, bytes: data });
    }
    case SMB1_COM.WRITE_ANDX: {
      const w = Buffer.alloc(12);
      w[0] = 0xff;
      w.writeUInt16LE(msg.readUInt16LE(36 + 21), 4);
      return smbReply(cmd, { uid: 0x55, tid: 0x77, words: w });
    }
    default:
      return smbReply(cmd, { uid: 0x55, tid: 0x77 });
  }
}

export type Smb1Answer = (msg: Buffer, index: number) => Buffer | 'close' | undefined;

export interface Smb1Server {
  port: number;
  /** every message received, per connection, in order */
  received: Buffer[][];
  close(): Promise<void>;
}

export async function startSmb1Server(file: Buffer, answer: Smb1Answer = () => undefined): Promise<Smb1Server> {
  const received: Buffer[][] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    const mine: Buffer[] = [];
    received.push(mine);
    let buf = Buffer.alloc(0);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      // bounded: each pass takes one whole message off the buffer
      while (buf.length >= 4 && buf.length >= buf.readUInt16BE(2) + 4) {
        const size = buf.readUInt16BE(2) + 4;
        const msg = buf.subarray(0, size);
        buf = buf.subarray(size);
        mine.push(Buffer.from(msg));
        const a = answer(msg, mine.length - 1) ?? okReply(msg, file);
        if (a === 'close') {
          s.destroy();
          return;
        }
        s.write(a);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    received,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
