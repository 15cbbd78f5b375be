// One download in a fresh process, for scenario (b)'s cold row: what a
// program that fetches one large file once sees, JIT warm-up included.
//   node dist/bench/download-once.js tscurl|undici|node:http|raw URL
// Prints one JSON line: {"bytes":N,"ms":wall,"cpuMs":process CPU}, both
// measured around the download alone (module loading excluded).
import { tscurlDownload, undiciDownload, nodeHttpDownload, rawDownload, rawDownload1M, type DownloadClient } from './download-clients.js';

const CLIENTS: Record<string, DownloadClient> = {
  tscurl: tscurlDownload, undici: undiciDownload, 'node:http': nodeHttpDownload, raw: rawDownload, 'raw-1m': rawDownload1M,
};
const [which, url] = process.argv.slice(2);
const client = CLIENTS[which ?? ''];
if (!client || !url) {
  console.error(`usage: node download-once.js ${Object.keys(CLIENTS).join('|')} URL`);
  process.exit(2);
}
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const bytes = await client(url);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ bytes, ms, cpuMs: (cpu.user + cpu.system) / 1000 }));
