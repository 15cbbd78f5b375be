// Keep-alive clients for scenario (f): the convenience layers — request(),
// fetch through CurlDispatcher — beside the Multi they run on and beside
// undici's own request() and fetch(), all at the same concurrency.
import { Agent, fetch as undiciFetch, request as undiciRequest } from 'undici';
import { CURLMOPT, MultiRunner, request } from '../src/index.js';
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
