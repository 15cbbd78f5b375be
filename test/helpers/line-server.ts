// A scripted line-protocol server on 127.0.0.1 (IMAP, POP3, SMTP, FTP control
// dialogues in tests): it writes the greeting, hands each CRLF-ended command
// line to `reply` (its answer is written; null says nothing) and records every
// line in `lines`. close() destroys the open connections.
import { createServer, type Server, type Socket, type AddressInfo } from 'node:net';

export interface LineServer {
  port: number;
  /** every command line received, without its CRLF, across connections */
  lines: string[];
  close(): Promise<void>;
}

export async function startLineServer(greeting: string, reply: (line: string, s: Socket) => string | null): Promise<LineServer> {
  const lines: string[] = [];
  const socks = new Set<Socket>();
  const server: Server = createServer((s) => {
    socks.add(s);
    s.on('error', () => {});
    s.on('close', () => socks.delete(s));
    if (greeting) s.write(greeting);
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      let i: number;
      // bounded by the bytes received
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        lines.push(line);
        const r = reply(line, s);
        if (r !== null && !s.destroyed) s.write(r);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    lines,
    close: () => new Promise<void>((r) => {
      for (const s of socks) s.destroy();
      server.close(() => r());
    }),
  };
}
