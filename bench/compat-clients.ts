// In-process clients for scenario (f), the same job as (a): `total` GETs with
// `concurrency` in flight over keep-alive. tscurl's node-libcurl drop-in
// (`curly.get`, on its shared Multi), and node-libcurl itself when it is
// installed and its native addon loads (it is not on this machine: its
// install downloads a prebuilt binary or builds libcurl, and neither can
// happen here).
import { createRequire } from 'node:module';
import { curly } from '../src/compat/node-libcurl/index.js';
import type { KeepAliveClient } from './keepalive-clients.js';
import { workers } from './convenience-clients.js';


export const curlyGet: KeepAliveClient = (target, total, concurrency) => workers(total, concurrency, async () => {
  const { statusCode } = await curly.get(target.url);
  if (statusCode !== 200) throw new Error(`curly status ${statusCode}`);
});

/** node-libcurl's own curly, or why it cannot run here. */
export function nodeLibcurlCurly(): { client: KeepAliveClient } | { missing: string } {
  try {
    const nlc = createRequire(import.meta.url)('node-libcurl') as { curly: { get(url: string): Promise<{ statusCode: number }> } };
    const client: KeepAliveClient = (target, total, concurrency) => workers(total, concurrency, async () => {
      const { statusCode } = await nlc.curly.get(target.url);
      if (statusCode !== 200) throw new Error(`node-libcurl status ${statusCode}`);
    });
    return { client };
  } catch (err) {
    return { missing: `node-libcurl not run: ${(err as Error).message.split('\n')[0]} (a native addon: its install needs a prebuilt binary download or a libcurl build)` };
  }
}
