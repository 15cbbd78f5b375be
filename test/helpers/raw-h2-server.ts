// A raw HTTP/2 server for hostile-server tests: it reads the client's
// preface, sends an empty SETTINGS, acknowledges the client's SETTINGS, and
// at the client's first HEADERS hands the socket and stream id to a
// scenario that writes exact frames (frame() from h2c-server.ts, literal()
// here for header fields). Prior knowledge only (no TLS, no Upgrade).
import { createServer, type Socket, type AddressInfo } from 'node:net';
import { frame } from './h2c-server.js';

const SETTINGS = 4;
const HEADERS = 1;

/** What a test does once the client's first HEADERS arrived on `stream`. */
export type RawH2Scenario = (sock: Socket, stream: number) => void;

/** ":status: 200" from HPACK's static table. */
export const STATUS_200 = Buffer.from([0x88]);

/** An HPACK literal header field without indexing, its lengths as 7-bit prefix integers. */
export function literal(name: string, value: string): Buffer {
  const int = (n: number): number[] => {
    if (n < 127) return [n];
    const out = [127];
    n -= 127;
    while (n >= 128) { out.push((n % 128) + 128); n = Math.floor(n / 128); }
    out.push(n);
    return out;
  };
  return Buffer.concat([Buffer.from([0x00, ...int(name.length)]), Buffer.from(name, 'latin1'), Buffer.from(int(value.length)), Buffer.from(value, 'latin1')]);
}

export async function startRawH2(scenario: RawH2Scenario): Promise<{ port: number; url: string; close(): Promise<void> }> {
  const socks = new Set<Socket>();
  const srv = createServer((sock) => {
    socks.add(sock);
    sock.on('error', () => {});
    sock.on('close', () => socks.delete(sock));
    let buf = Buffer.alloc(0);
    let preface = false;
    let started = false;
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!preface) {
        if (buf.length < 24) return;
        buf = buf.subarray(24);
        preface = true;
        sock.write(frame(SETTINGS, 0, 0));
      }
      // bounded: every pass takes one whole frame off the buffer
      while (buf.length >= 9) {
        const len = buf.readUIntBE(0, 3);
        if (buf.length < 9 + len) return;
        const type = buf[3]!;
        const flags = buf[4]!;
        const id = buf.readUInt32BE(5) & 0x7fffffff;
        buf = buf.subarray(9 + len);
        if (type === SETTINGS && !(flags & 1)) sock.write(frame(SETTINGS, 1, 0));
        if (type === HEADERS && !started) {
          started = true;
          scenario(sock, id);
        }
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((r) => { for (const s of socks) s.destroy(); srv.close(() => r()); }),
  };
}
