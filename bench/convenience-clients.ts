// Keep-alive clients for scenario (f): the convenience layers — request(),
// fetch through CurlDispatcher — beside the Multi they run on and beside
// undici's own request() and fetch(), all at the same concurrency.
import { Agent, fetch as undiciFetch, request as undiciRequest } from 'undici';
import { CURLINFO, CURLMOPT, CURLMSG, CURLOPT, Easy, Multi, MultiRunner, request } from '../src/index.js';
import { CurlDispatcher } from '../src/dispatcher/index.js';
import type { KeepAliveClient } from './keepalive-clients.js';

/** `concurrency` workers each issuing requests one after another until `total` were issued. */
export async function workers(total: number, concurrency: number, one: () => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      next++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** A handle of promiseFloor with the resolve of the request it runs. */
class FloorSlot {
  readonly easy = new Easy();
  resolve: ((code: number) => void) | null = null;
  constructor(url: string, caFile: string | undefined) {
    this.easy.setopt(CURLOPT.URL, url);
    this.easy.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    if (caFile) this.easy.setopt(CURLOPT.CAINFO, caFile);
    this.easy.setopt(CURLOPT.PRIVATE, this);
  }
}

/**
 * The Multi with perform/poll as 'tscurl perform/poll' drives it, but each
 * request a Promise awaited by the same workers as the layers': what any
 * Promise API on the Multi costs before it does anything (the promise, the
 * resumed async function, the next request added from a microtask). A
 * reference row: the layers' cost over it is their own.
 */
export const promiseFloor: KeepAliveClient = async (target, total, concurrency) => {
  const multi = new Multi();
  multi.setopt(CURLMOPT.MAXCONNECTS, concurrency);
  const spare: FloorSlot[] = [];
  const all: FloorSlot[] = [];
  let running = 0;
  let looping = false;
  const loop = async (): Promise<void> => {
    while (running > 0) {
      multi.perform();
      for (let m = multi.infoRead(); m; m = multi.infoRead()) {
        if (m.msg !== CURLMSG.DONE) continue;
        const slot = m.easy.getinfo(CURLINFO.PRIVATE) as FloorSlot;
        multi.removeHandle(m.easy);
        running--;
        spare.push(slot);
        const resolve = slot.resolve!;
        slot.resolve = null;
        resolve(m.result);
      }
      if (running > 0) await multi.poll(1000);
    }
    looping = false;
  };
  const one = (): Promise<number> => new Promise<number>((resolve) => {
    let slot = spare.pop();
    if (!slot) all.push((slot = new FloorSlot(target.url, target.caFile)));
    slot.resolve = resolve;
    multi.addHandle(slot.easy);
    running++;
    if (!looping) {
      looping = true;
      queueMicrotask(() => void loop());
    }
  });
  await workers(total, concurrency, async () => {
    const code = await one();
    if (code !== 0) throw new Error(`tscurl transfer failed: ${code}`);
  });
  multi.cleanup();
  for (const s of all) s.easy.cleanup();
};

/** request() on its own runner, each body read by `read`. */
function requestClient(read: (res: Awaited<ReturnType<typeof request>>) => Promise<unknown>): KeepAliveClient {
  return async (target, total, concurrency) => {
    const runner = new MultiRunner();
    runner.multi.setopt(CURLMOPT.MAXCONNECTS, concurrency);
    const options = target.caFile ? { CAINFO: target.caFile } : {};
    await workers(total, concurrency, async () => {
      const res = await request(target.url, { runner, options });
      if (res.status !== 200) throw new Error(`request() status ${res.status}`);
      await read(res);
    });
    runner.close();
  };
}

/** request() iterating its body stream. */
export const tscurlRequest = requestClient(async (res) => {
  for await (const _ of res.body) void _;
});

/** request() read with text(): the everyday path, which skips the Readable (src/request/body-sink.ts). */
export const tscurlRequestText = requestClient((res) => res.text());

export const tscurlFetch: KeepAliveClient = async (target, total, concurrency) => {
  const runner = new MultiRunner();
  runner.multi.setopt(CURLMOPT.MAXCONNECTS, concurrency);
  const dispatcher = new CurlDispatcher({ runner, options: target.caFile ? { CAINFO: target.caFile } : {} });
  await workers(total, concurrency, async () => {
    const res = await undiciFetch(target.url, { dispatcher });
    if (res.status !== 200) throw new Error(`fetch status ${res.status}`);
    await res.arrayBuffer();
  });
  await dispatcher.close();
  runner.close();
};

function agent(target: { ca?: Buffer }, concurrency: number): Agent {
  return new Agent({ connections: concurrency, pipelining: 1, ...(target.ca ? { connect: { ca: target.ca } } : {}) });
}

export const undiciRequestClient: KeepAliveClient = async (target, total, concurrency) => {
  const dispatcher = agent(target, concurrency);
  await workers(total, concurrency, async () => {
    const { statusCode, body } = await undiciRequest(target.url, { dispatcher });
    if (statusCode !== 200) throw new Error(`undici.request status ${statusCode}`);
    for await (const _ of body) void _;
  });
  await dispatcher.close();
};

export const undiciFetchClient: KeepAliveClient = async (target, total, concurrency) => {
  const dispatcher = agent(target, concurrency);
  await workers(total, concurrency, async () => {
    const res = await undiciFetch(target.url, { dispatcher });
    if (res.status !== 200) throw new Error(`undici fetch status ${res.status}`);
    await res.arrayBuffer();
  });
  await dispatcher.close();
};
