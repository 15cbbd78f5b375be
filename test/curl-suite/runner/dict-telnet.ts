// curl's DICT and TELNET test servers (tests/dictserver.py and
// tests/negtelnetserver.py), emulated. Neither logs a protocol dump.
//  - DICT: a "220" greeting, one read of the request, "552 No matches", close.
//  - TELNET: sends DO NEW-ENVIRON, WILL NEW-ENVIRON, DONT NAWS, WONT NAWS;
//    reads until some data arrives (option negotiation taken out by its small
//    state machine), echoes that data back stripped of surrounding
//    whitespace, waits 100 ms for more, then closes.

import type net from 'node:net';
import type { ByteQueue } from './byte-queue.js';
import { TcpService } from './tcp-service.js';

const write = (sock: net.Socket, data: string | Buffer): Promise<void> =>
  new Promise((r) => (sock.destroyed ? r() : sock.write(data, () => r())));

export function dictServer(): TcpService {
  return new TcpService(async (sock, input) => {
    await write(sock, '220 dictserver <xnooptions> <msgid@msgid>\n');
    await input.read();
    await write(sock, '552 No matches\n');
  });
}

const IAC = 255;
const WILL = 251;
const WONT = 252;
const DO = 253;
const DONT = 254;
const NEW_ENVIRON = 39;
const NAWS = 31;

/** negtelnetserver's Negotiator: data bytes out, negotiation left behind. */
export class TelnetNegotiator {
  #state: 'data' | 'iac' | 'option' = 'data';

  feed(chunk: Buffer, out: number[]): void {
    for (const b of chunk) {
      if (this.#state === 'data') {
        if (b === IAC) this.#state = 'iac';
        else out.push(b);
      } else if (this.#state === 'iac') {
        // WILL/WONT/DO/DONT wait for their option; anything else (SB, ...) is dropped
        this.#state = b === WILL || b === WONT || b === DO || b === DONT ? 'option' : 'data';
      } else {
        // the option byte is consumed whether the negotiator knows the option or not
        this.#state = 'data';
      }
    }
  }
}

async function telnetSession(sock: net.Socket, input: ByteQueue): Promise<void> {
  await write(sock, Buffer.from([IAC, DO, NEW_ENVIRON, IAC, WILL, NEW_ENVIRON, IAC, DONT, NAWS, IAC, WONT, NAWS]));
  const neg = new TelnetNegotiator();
  const data: number[] = [];
  while (!data.length) {
    const chunk = await input.read();
    if (!chunk) break;
    neg.feed(chunk, data);
  }
  const echo = Buffer.from(Buffer.from(data).toString('utf8').trim(), 'utf8');
  if (echo.length) await write(sock, echo);
  // one more read, given 100 ms, before shutting down
  await Promise.race([input.read(), new Promise((r) => setTimeout(r, 100))]);
}

export function telnetServer(): TcpService {
  return new TcpService(telnetSession);
}
