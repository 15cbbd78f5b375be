// Benchmark server, run in its own process so its CPU is not the client's:
// answers every keep-alive GET on 127.0.0.1 with a fixed 16-byte body.
// Prints its port on stdout, exits when stdin closes.
import { createServer } from 'node:net';

const body = process.env.BENCH_BODY ?? '0123456789abcdef';
const reply = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: text/plain\r\n\r\n${body}`);

const server = createServer((sock) => {
  sock.setNoDelay(true);
  let tail = '';
  sock.on('data', (d) => {
    // count complete request heads; GETs carry no body
    const s = tail + d.toString('latin1');
    let n = 0;
    let i = s.indexOf('\r\n\r\n');
    let last = 0;
    while (i >= 0) {
      n++;
      last = i + 4;
      i = s.indexOf('\r\n\r\n', last);
    }
    tail = s.slice(last);
    if (n === 1) sock.write(reply);
    else if (n > 1) sock.write(Buffer.concat(Array(n).fill(reply)));
  });
  sock.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`${typeof a === 'object' && a ? a.port : 0}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
