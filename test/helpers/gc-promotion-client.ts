// Child process of request-gc-promotion.test.ts, run with V8's
// --trace-gc-nvp: `count` GETs of `url` at concurrency 50 through one
// convenience layer, after as many to warm up (V8 decides where to allocate
// while the code warms up). V8 prints each scavenge's promoted bytes;
// the test reads them.
//
//   node --trace-gc-nvp gc-promotion-client.js LAYER URL COUNT
//     LAYER: text (request() + text()), stream (request(), body iterated),
//            fetch (undici fetch on CurlDispatcher), curly (curly.get)
import { fetch } from 'undici';
import { CURLMOPT, MultiRunner, request } from '../../src/index.js';
import { CurlDispatcher } from '../../src/dispatcher/index.js';
import { curly } from '../../src/compat/node-libcurl/index.js';

const [layer = '', url = '', countArg = '0'] = process.argv.slice(2);
const count = Number(countArg);
const runner = new MultiRunner();
runner.multi.setopt(CURLMOPT.MAXCONNECTS, 50);
const dispatcher = new CurlDispatcher({ runner });

const one: Record<string, () => Promise<unknown>> = {
  text: async () => (await request(url, { runner })).text(),
  stream: async () => {
    for await (const _ of (await request(url, { runner })).body) void _;
  },
  fetch: async () => (await fetch(url, { dispatcher })).arrayBuffer(),
  curly: () => curly.get(url),
};

async function run(n: number): Promise<void> {
  const get = one[layer];
  if (!get) throw new Error(`unknown layer ${layer}`);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      await get();
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
}

await run(count);
console.log('-- measured --');
await run(count);
console.log('-- done --');
await dispatcher.close();
runner.close();
process.exit(0);
