// The WebSocket server of bench scenario (w), in a child process so that its
// CPU is not the clients': on a text message "N" it sends N binary messages
// of 1 MiB (no compression). Prints its port on stdout.
import { WebSocketServer } from 'ws';

const MESSAGE = Buffer.alloc(1 << 20, 0x5a);
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    // bounded: at most 10,000 messages per request
    const n = Math.min(Number(String(data)) || 0, 10_000);
    for (let i = 0; i < n; i++) ws.send(MESSAGE);
  });
});
wss.on('listening', () => {
  const a = wss.address();
  process.stdout.write(`${a !== null && typeof a === 'object' ? a.port : a}\n`);
});
