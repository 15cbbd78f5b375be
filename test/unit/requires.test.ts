// test/helpers/requires.ts: a missing Debian program makes a test skip with
// the package to install, or, under CI, fails; TSCURL_TEST_NO_PROGRAMS marks
// programs as missing. Checked in this process and through a child
// `node --test` run, whose report is what a user on a fresh machine sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findProgram, requireProgram, requirePrograms, underCi } from '../helpers/requires.js';

const REQUIRES = fileURLToPath(new URL('../helpers/requires.js', import.meta.url));

/** Runs `fn` with these environment variables set (undefined: unset), then restores them. */
function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>): void => {
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined) delete process.env[k];
      else process.env[k] = val;
    }
  };
  apply(vars);
  try {
    return fn();
  } finally {
    apply(saved);
  }
}

test('a program on PATH is found; a missing one skips with its package; CI makes that an error', () => {
  withEnv({ CI: undefined, TSCURL_TEST_NO_PROGRAMS: undefined }, () => {
    assert.ok(findProgram('sh'), 'sh is on PATH');
    assert.equal(requireProgram('sh', 'dash'), false);
    assert.equal(findProgram('tscurl-no-such-program'), undefined);
    assert.equal(requireProgram('tscurl-no-such-program', 'some-pkg'), 'needs tscurl-no-such-program, not installed here (apt-get install some-pkg)');
    assert.equal(requirePrograms(['sh', 'dash'], ['tscurl-no-such-program', 'some-pkg'], ['tscurl-nor-this', 'other-pkg']),
      'needs tscurl-no-such-program and tscurl-nor-this, not installed here (apt-get install some-pkg other-pkg)');
    assert.equal(requirePrograms(['sh', 'dash']), false);
  });
  withEnv({ CI: 'true' }, () => {
    assert.equal(underCi(), true);
    assert.equal(requireProgram('sh', 'dash'), false);
    assert.throws(() => requireProgram('tscurl-no-such-program', 'some-pkg'), /CI=true and tscurl-no-such-program is missing: .*some-pkg/);
    assert.throws(() => requirePrograms(['tscurl-no-such-program', 'some-pkg']), /some-pkg/);
  });
  for (const off of ['', 'false', '0']) withEnv({ CI: off }, () => assert.equal(underCi(), false, `CI=${off}`));
});

test('TSCURL_TEST_NO_PROGRAMS marks installed programs as missing', () => {
  withEnv({ CI: undefined, TSCURL_TEST_NO_PROGRAMS: 'nginx, sh' }, () => {
    assert.equal(findProgram('sh'), undefined);
    assert.equal(requireProgram('sh', 'dash'), 'needs sh, not installed here (apt-get install dash)');
  });
  withEnv({ TSCURL_TEST_NO_PROGRAMS: undefined }, () => assert.ok(findProgram('sh')));
});

function nodeTest(file: string, env: Record<string, string>): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--test', '--test-reporter=tap', file], { env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 60_000 },
      (err, stdout) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout }));
  });
}

test('node --test reports the skip with the package, and fails under CI', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-requires-'));
  try {
    const file = join(dir, 'needs.test.mjs');
    writeFileSync(file, `import { test } from 'node:test';\nimport { requireProgram } from ${JSON.stringify(REQUIRES)};\n` +
      "test('needs sh', { skip: requireProgram('sh', 'dash') }, () => {});\n");
    const fresh = await nodeTest(file, { TSCURL_TEST_NO_PROGRAMS: 'sh' });
    assert.equal(fresh.code, 0, fresh.stdout);
    assert.match(fresh.stdout, /^ok 1 - needs sh # SKIP needs sh, not installed here \(apt-get install dash\)$/m);
    const ci = await nodeTest(file, { TSCURL_TEST_NO_PROGRAMS: 'sh', CI: 'true' });
    assert.notEqual(ci.code, 0);
    assert.match(ci.stdout, /CI=true and sh is missing: \.ci\/run must install the Debian package dash/);
    const present = await nodeTest(file, {});
    assert.equal(present.code, 0, present.stdout);
    assert.match(present.stdout, /^ok 1 - needs sh$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
