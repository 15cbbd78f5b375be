// The slow server of scenario (e), in its own process: it holds every request
// until EXPECT of them have arrived (so the client can be measured while all
// its transfers sit idle), says "held N" on stdout, waits HOLD_MS more, then
// answers them all, spread evenly over SPREAD_MS. Prints "port P" first.
// Exits when stdin closes.
import { createServer, type Socket } from 'node:net';

const EXPECT = Number(process.env.EXPECT ?? 100);
const HOLD_MS = Number(process.env.HOLD_MS ?? 1000);
const SPREAD_MS = Number(process.env.SPREAD_MS ?? 1000);
const SAFETY_MS = Number(process.env.SAFETY_MS ?? 120_000);
const reply = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 16\r\nContent-Type: text/plain\r\n\r\n0123456789abcdef');

const held: Socket[] = [];
let released = false;

function release(): void {
  if (released) return;
  released = true;
  process.stdout.write(`held ${held.length}\n`);
  setTimeout(() => {
    const slices = Math.max(1, Math.floor(SPREAD_MS / 10));
    const per = Math.ceil(held.length / slices);
    let i = 0;
    const tick = (): void => {
      for (const end = Math.min(held.length, i + per); i < end; i++) {
        const s = held[i]!;
        if (!s.destroyed) s.write(reply);
      }
      if (i < held.length) setTimeout(tick, 10);
    };
    tick();
  }, HOLD_MS);
}

const server = createServer((sock) => {
  sock.setNoDelay(true);
  let tail = '';
  sock.on('data', (d) => {
    const s = tail + d.toString('latin1');
    let last = 0;
    for (let i = s.indexOf('\r\n\r\n'); i >= 0; i = s.indexOf('\r\n\r\n', last)) {
      last = i + 4;
      if (released) sock.write(reply); // late comers are answered at once
      else {
        held.push(sock);
        if (held.length >= EXPECT) release();
      }
    }
    tail = s.slice(last);
  });
  sock.on('error', () => {});
});
server.listen({ port: 0, host: '127.0.0.1', backlog: 65535 }, () => {
  const a = server.address();
  process.stdout.write(`port ${typeof a === 'object' && a ? a.port : 0}\n`);
  setTimeout(release, SAFETY_MS).unref();
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
