// A ReceiveQueue (recv-queue.ts) for a stream socket made without `onread`:
// the TLS layer over our TCP socket.
//
// Why: node:tls honours the `onread` option only when it opens the TCP
// connection itself (tls.connect() without `socket`), and we layer TLS over
// the connection our connector made (the curl_socket_t must stay the same).
// Without it every decrypted record becomes a Buffer with its own backing
// store, goes through Readable's push() and 'data' and costs a nextTick
// (maybeReadMore) and a read(0): per keep-alive response, a measurable part
// of an HTTPS request's CPU. With it the TLSSocket reads into the shared
// scratch buffer like the TCP socket, through the same code in node:net.
//
// How: net.Socket keeps the option in three fields keyed by private symbols
// and hands the buffer to its handle with useUserBuffer() (node:tls's TLSWrap
// is a StreamBase and has it: it is what tls.connect({ onread }) uses). The
// symbols are found once by value on a probe socket made with `onread`; if
// this Node lays them out differently, nothing is changed and the socket
// keeps flowing mode (the general path, still correct).
import { Socket } from 'node:net';
import { ReceiveQueue } from './recv-queue.js';

interface OnreadKeys {
  buffer: symbol;
  callback: symbol;
  generator: symbol;
}

let keys: OnreadKeys | null | undefined;

function onreadKeys(): OnreadKeys | null {
  if (keys !== undefined) return keys;
  keys = null;
  try {
    const buffer = Buffer.alloc(1);
    const callback = (): boolean => true;
    const opts = { onread: { buffer, callback } } as unknown as ConstructorParameters<typeof Socket>[0];
    const probe = new Socket(opts) as unknown as Record<symbol, unknown>;
    let b: symbol | undefined;
    let c: symbol | undefined;
    let g: symbol | undefined;
    for (const s of Object.getOwnPropertySymbols(probe)) {
      if (probe[s] === buffer) b = s;
      else if (probe[s] === callback) c = s;
      else if (s.description === 'kBufferGen' && probe[s] === null) g = s;
    }
    (probe as unknown as Socket).destroy();
    if (b && c && g) keys = { buffer: b, callback: c, generator: g };
  } catch {
    keys = null;
  }
  return keys;
}

/** Test hook: pretend this Node has no usable `onread` fields (the flowing-mode path). */
let disabled = false;
export function setUserBufferEnabled(on: boolean): void {
  disabled = !on;
}

/**
 * Make `socket` (freshly made, before it delivered any data) read through
 * a new ReceiveQueue, as net.connect({ onread }) does. Returns the queue,
 * or null when that cannot be done (the socket is left as it was).
 */
export function readIntoQueue(socket: Socket): ReceiveQueue | null {
  if (disabled) return null;
  const k = onreadKeys();
  const s = socket as unknown as Record<symbol, unknown>;
  const handle = (socket as unknown as { _handle?: { useUserBuffer?: unknown } | null })._handle;
  if (!k || !handle || typeof handle.useUserBuffer !== 'function') return null;
  // a socket that already reads into a buffer of its own is left alone
  if (s[k.buffer] || socket.readableLength > 0) return null;
  const rq = new ReceiveQueue();
  s[k.buffer] = rq.onread.buffer;
  s[k.callback] = rq.onread.callback;
  s[k.generator] = null;
  (handle.useUserBuffer as (b: Buffer) => void).call(handle, rq.onread.buffer);
  return rq;
}
