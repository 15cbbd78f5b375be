// The convenience layers must not make V8 promote each request's objects.
// An object that lives as long as a transfer and points at its young
// objects, if V8 decides to allocate it in the old generation (it
// pretenures an object literal's allocation site when the first objects
// from it happened to survive a scavenge), keeps its request's whole graph
// alive through every scavenge until the next full GC: request()'s hooks
// literal did, after warm-up, in every run measured — 1.5 MB promoted per
// scavenge, where the Multi promotes a few KB (src/request/attempt.ts,
// AttemptHooks). A child process runs each layer with --trace-gc-nvp and
// the median scavenge must promote little. (undici's own fetch promotes
// ~2.9 MB per scavenge by itself, so fetch on CurlDispatcher is not held
// to this.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNginx, type Nginx } from '../helpers/nginx.js';

const CLIENT = fileURLToPath(new URL('../helpers/gc-promotion-client.js', import.meta.url));
/**
 * Before: a median of 1.4-1.6 MB for request() + text() (every run), up to
 * 1.7 MB for the body stream and 280 KB for curly (some runs). Now: under
 * 1 KB in most runs, about 50 KB in some (a site of the engine's, the
 * Multi's own path has it too); the Multi alone promotes a few KB.
 */
const MAX_MEDIAN_PROMOTED = 256 * 1024;

let nginx: Nginx;
before(async () => {
  nginx = await startNginx();
  writeFileSync(join(nginx.root, '16b'), '0123456789abcdef');
});
after(() => nginx?.stop());

/** Each measured scavenge's promoted bytes, sorted. */
async function promotedPerScavenge(layer: string): Promise<number[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--trace-gc-nvp', CLIENT, layer, nginx.url('/16b'), '20000'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const measured = stdout.slice(stdout.indexOf('-- measured --'), stdout.indexOf('-- done --'));
  return [...measured.matchAll(/gc=s .*?promoted=(\d+)/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
}

for (const layer of ['text', 'stream', 'curly']) {
  test(`${layer}: scavenges promote little of each request`, async () => {
    const promoted = await promotedPerScavenge(layer);
    assert.ok(promoted.length >= 3, `too few scavenges to judge: ${promoted.length}`);
    const median = promoted[promoted.length >> 1]!;
    assert.ok(median <= MAX_MEDIAN_PROMOTED, `median promoted per scavenge ${median} bytes (of ${promoted.length} scavenges)`);
  });
}
