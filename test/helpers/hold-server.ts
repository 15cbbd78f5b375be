// An HTTP/1.1 server for tests of which connection each of several parallel
// transfers gets: a request whose target has "hold=N" in its query is held
// until N such requests wait at once, then all are answered, in target order,
// with the status line "HTTP/1.1 200 Held". Holding is how the tests order
// events without timing: nothing held is answered before every transfer
// that must be in flight has sent its request. Other targets are answered at
// once: "/redirect/X" with a 302 to "/X", "/auth/..." with a 401 asking for
// Basic unless the request has credentials, anything else with a 200.
// Bodies are "hello TARGET\n". Keep-alive unless the request asks to close
// (an HTTP/1.0 request from a proxy in front does). Loopback only.
import { before, after } from 'node:test';
import { createServer, type Socket, type AddressInfo } from 'node:net';

export interface HoldServer {
  port: number;
  /** connections accepted so far */
  readonly connections: number;
  /** request targets, in the order they came */
  readonly targets: string[];
  close(): Promise<void>;
}

interface Held {
  sock: Socket;
  target: string;
  close: boolean;
}

function reply(sock: Socket, status: string, target: string, close: boolean, extra = ''): void {
  const body = `hello ${target}\n`;
  sock.write(`HTTP/1.1 ${status}\r\n${extra}Content-Length: ${body.length}\r\n${close ? 'Connection: close\r\n' : ''}\r\n${body}`);
  if (close) sock.end();
}

export async function startHoldServer(): Promise<HoldServer> {
  let held: Held[] = [];
  const targets: string[] = [];
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    connections++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = '';
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      // bounded: each pass takes one request head off the buffer
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const [line, ...fields] = head.split('\r\n');
        const [, target = '/', version] = line!.split(' ');
        targets.push(target);
        const close = version === 'HTTP/1.0' || fields.some((f) => /^connection:\s*close/i.test(f));
        const hold = /[?&]hold=(\d+)/.exec(target);
        if (hold) {
          held.push({ sock, target, close });
          if (held.length >= Number(hold[1])) {
            const now = held.sort((a, b) => (a.target < b.target ? -1 : 1));
            held = [];
            for (const h of now) reply(h.sock, '200 Held', h.target, h.close);
          }
        } else if (target.startsWith('/redirect/')) {
          reply(sock, '302 Found', target, close, `Location: ${target.slice('/redirect'.length)}\r\n`);
        } else if (target.startsWith('/auth/') && !fields.some((f) => /^authorization:/i.test(f))) {
          reply(sock, '401 Unauthorized', target, close, 'WWW-Authenticate: Basic realm="hold"\r\n');
        } else reply(sock, '200 OK', target, close);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() { return connections; },
    targets,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** One hold server for a whole test file: started before its tests, closed after them. */
export function holdServerPerFile(): HoldServer & { readonly base: string } {
  let srv: HoldServer | null = null;
  before(async () => {
    srv = await startHoldServer();
  });
  after(async () => {
    await srv?.close();
  });
  const live = (): HoldServer => {
    if (!srv) throw new Error('the hold server starts before the tests');
    return srv;
  };
  return {
    get port() {
      return live().port;
    },
    get base() {
      return `http://127.0.0.1:${live().port}`;
    },
    get connections() {
      return live().connections;
    },
    get targets() {
      return live().targets;
    },
    close: () => live().close(),
  };
}
