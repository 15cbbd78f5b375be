// Bench scenario (w): undici's WebSocket receiving 1 MiB binary messages, on
// tscurl's CurlDispatcher (the upgrade and the bytes through libcurl's
// CONNECT_ONLY + CURLWS_RAW_MODE, curl_ws_recv) and on undici's own Agent,
// interleaved, the server in a child process. Client CPU per MiB and MiB/s.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Agent, WebSocket, type Dispatcher } from 'undici';
import { CurlDispatcher } from '../src/dispatcher/index.js';
import { cpuSince, type Contender } from './stats.js';

const SERVER = fileURLToPath(new URL('./ws-server.js', import.meta.url));

export interface WsServer {
  port: number;
  stop(): void;
}

export async function startWsServer(): Promise<WsServer> {
  const child: ChildProcess = spawn(process.execPath, [SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    child.once('exit', (code) => reject(new Error(`ws server exited (${code})`)));
  });
  return { port, stop: () => child.kill() };
}

/** One connection: ask for `n` messages, wait for all of them. */
async function receive(port: number, dispatcher: Dispatcher, n: number): Promise<void> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { dispatcher } as never);
  ws.binaryType = 'arraybuffer';
  await new Promise<void>((resolve, reject) => {
    let got = 0;
    ws.addEventListener('open', () => ws.send(String(n)));
    ws.addEventListener('message', () => {
      if (++got === n) resolve();
    });
    ws.addEventListener('error', () => reject(new Error('websocket error')));
    ws.addEventListener('close', () => (got < n ? reject(new Error(`closed after ${got} of ${n}`)) : undefined));
  });
  ws.close();
}

export function wsContenders(port: number, messages: number): Contender[] {
  const make = (name: string, dispatcher: Dispatcher): Contender => ({
    name,
    run: async () => {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await receive(port, dispatcher, messages);
      const ms = performance.now() - t0;
      return { 'MiB/s': (messages / ms) * 1000, 'CPU ms/MiB': cpuSince(cpu0) / 1000 / messages };
    },
  });
  return [make('undici WebSocket on CurlDispatcher', new CurlDispatcher()), make('undici WebSocket on Agent', new Agent())];
}
