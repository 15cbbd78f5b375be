// In-process clients for scenario (b): one large download whose body is
// counted and dropped. Each resolves with the number of body bytes seen.
import http from 'node:http';
import net from 'node:net';
import { request } from 'undici';
import { Easy, CURLOPT } from '../src/index.js';

export type DownloadClient = (url: string) => Promise<number>;

export const tscurlDownload: DownloadClient = async (url) => {
  let n = 0;
  const e = new Easy();
  e.setopt(CURLOPT.URL, url);
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
    n += d.length;
    return d.length;
  });
  const rc = await e.perform();
  e.cleanup();
  if (rc !== 0) throw new Error(`tscurl download failed: ${rc}`);
  return n;
};

export const undiciDownload: DownloadClient = async (url) => {
  let n = 0;
  const { statusCode, body } = await request(url);
  if (statusCode !== 200) throw new Error(`undici status ${statusCode}`);
  for await (const chunk of body) n += (chunk as Buffer).length;
  return n;
};

export const nodeHttpDownload: DownloadClient = (url) =>
  new Promise((resolve, reject) => {
    let n = 0;
    http.get(url, { agent: false }, (res) => {
      res.on('data', (d: Buffer) => { n += d.length; });
      res.on('end', () => resolve(n));
      res.on('error', reject);
    }).on('error', reject);
  });

/**
 * The ceiling: one socket reading into one reused buffer (net's onread),
 * counting bytes; 64 KiB as the issue measured it. tscurl reads up to 1 MiB
 * at a time, so the same reader with a 1 MiB buffer is shown beside it.
 */
export const rawDownload: DownloadClient = (url) => rawReader(url, 64 * 1024);
export const rawDownload1M: DownloadClient = (url) => rawReader(url, 1024 * 1024);

const rawReader = (url: string, bufferSize: number): Promise<number> =>
  new Promise((resolve, reject) => {
    const u = new URL(url);
    const buffer = Buffer.allocUnsafe(bufferSize);
    let head = '';
    let bodyLeft = -1;
    let n = 0;
    const sock = net.connect({
      host: u.hostname,
      port: Number(u.port || 80),
      onread: {
        buffer,
        callback: (len: number, buf: Uint8Array): boolean => {
          let off = 0;
          if (bodyLeft < 0) {
            head += Buffer.from(buf.buffer, buf.byteOffset, len).toString('latin1');
            const end = head.indexOf('\r\n\r\n');
            if (end < 0) return true;
            const m = /\r\ncontent-length: *(\d+)/i.exec(head.slice(0, end + 2));
            if (!m) {
              reject(new Error('raw download: no Content-Length'));
              return false;
            }
            bodyLeft = Number(m[1]);
            off = len - (head.length - (end + 4));
          }
          const take = Math.min(bodyLeft, len - off);
          n += take;
          bodyLeft -= take;
          if (bodyLeft === 0) {
            sock.destroy();
            resolve(n);
          }
          return true;
        },
      },
    });
    sock.on('connect', () => sock.write(`GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\n\r\n`));
    sock.on('error', reject);
  });
