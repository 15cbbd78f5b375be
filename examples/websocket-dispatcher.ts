// undici's WebSocket on tscurl: libcurl makes the connection and the upgrade (here with RESOLVE),
// undici speaks WebSocket over it.
import { WebSocket } from 'undici';
import { CurlDispatcher } from '../src/dispatcher/index.js';

export async function firstReply(url: string, resolve: string, message: string): Promise<string> {
  const dispatcher = new CurlDispatcher({ options: { RESOLVE: [resolve] } });
  const ws = new WebSocket(url, { dispatcher });
  try {
    return await new Promise<string>((ok, fail) => {
      ws.onopen = () => ws.send(message);
      ws.onmessage = (e) => ok(String(e.data));
      ws.onerror = (e) => fail(e.error);
    });
  } finally {
    ws.close();
    await dispatcher.close();
  }
}
