// The Promise layers' loops (MultiRunner under request() and CurlDispatcher,
// node-libcurl's Multi under curly) start a handle added from a promise
// continuation in the round that follows its add, and spend no empty
// perform() round on it: counted in perform() calls against a keep-alive
// server that records the order requests arrive in, while a held request
// keeps the loop running (as parallel requests do). Each request of a chain
// takes one round to send (the add ends the loop's wait) and one to read the
// answer; a wakeup() on top of the add's own wake was kept for the next
// poll() and made a third, empty round per request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Multi as TscMulti, MultiRunner, request } from '../../src/index.js';
import { Easy, Multi } from '../../src/compat/node-libcurl/index.js';

const CHAIN = 20;
/** rounds a chain may take beyond two per request: connecting, and a response read in two pieces now and then */
const SLACK = 6;

interface Recording {
  server: Server;
  url: string;
  arrived: string[];
  /** answer the request to /hold (it waits until then) */
  release(): void;
}

async function recordingServer(): Promise<Recording> {
  const arrived: string[] = [];
  let held: (() => void) | null = null;
  let releaseNow = false;
  const server = createServer((req, res) => {
    arrived.push(req.url!);
    const answer = (): void => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 2 });
      res.end('ok');
    };
    if (req.url === '/hold' && !releaseNow) held = answer;
    else answer();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const release = (): void => {
    releaseNow = true;
    const answer = held;
    held = null;
    answer?.();
  };
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, arrived, release };
}

/** Count every Multi's perform() calls while `fn` runs. */
async function countPerforms(fn: () => Promise<void>): Promise<number> {
  const proto = TscMulti.prototype;
  const original = proto.perform;
  let calls = 0;
  proto.perform = function (this: TscMulti) {
    calls++;
    return original.call(this);
  };
  try {
    await fn();
  } finally {
    proto.perform = original;
  }
  return calls;
}

test('request(): each request of a chain added from the previous one\'s continuation costs two perform rounds, none empty', async () => {
  const { server, url, arrived, release } = await recordingServer();
  const runner = new MultiRunner();
  try {
    const held = request(`${url}/hold`, { runner });
    const rounds = await countPerforms(async () => {
      for (let i = 0; i < CHAIN; i++) {
        const res = await request(`${url}/r${i}`, { runner });
        assert.equal(await res.text(), 'ok');
      }
    });
    release();
    assert.equal(await (await held).text(), 'ok');
    assert.deepEqual(arrived.filter((u) => u !== '/hold'), Array.from({ length: CHAIN }, (_, i) => `/r${i}`));
    assert.ok(rounds <= 2 * CHAIN + SLACK, `${rounds} perform rounds for ${CHAIN} requests`);
  } finally {
    release();
    runner.close();
    await new Promise((r) => server.close(r));
  }
});

test('node-libcurl Multi#perform(): a chain of transfers costs two perform rounds each, none empty', async () => {
  const { server, url, arrived, release } = await recordingServer();
  const multi = new Multi();
  const easy = new Easy();
  const holder = new Easy();
  try {
    easy.setOpt('WRITEFUNCTION', (b: Buffer) => b.length);
    holder.setOpt('WRITEFUNCTION', (b: Buffer) => b.length);
    holder.setOpt('URL', `${url}/hold`);
    const held = multi.perform(holder);
    const rounds = await countPerforms(async () => {
      for (let i = 0; i < CHAIN; i++) {
        easy.setOpt('URL', `${url}/m${i}`);
        await multi.perform(easy);
        multi.removeHandle(easy);
      }
    });
    release();
    await held;
    multi.removeHandle(holder);
    assert.deepEqual(arrived.filter((u) => u !== '/hold'), Array.from({ length: CHAIN }, (_, i) => `/m${i}`));
    assert.ok(rounds <= 2 * CHAIN + SLACK, `${rounds} perform rounds for ${CHAIN} transfers`);
  } finally {
    release();
    multi.close(); // frees the handles still in it
    easy.close();
    holder.close();
    await new Promise((r) => server.close(r));
  }
});
