import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { versionText } from '../../src/cli/version.js';
import { platformTriplet } from '../../src/version-info.js';
import { supportedSchemes } from '../../src/proto/registry.js';
import { helpText, categoryRows } from '../../src/cli/help.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

test('--version: curl layout with tscurl identity', () => {
  const lines = versionText().split('\n');
  assert.match(lines[0]!, new RegExp(`^tscurl ${pkg.version.replace(/\./g, '\\.')} \\([^)]+\\) libtscurl/${pkg.version.replace(/\./g, '\\.')} `));
  assert.match(lines[1]!, /^Release-Date: /);
  // exactly the schemes with a protocol handler, and the tool's own ipfs and ipns (curl 8.4: sent to an HTTP gateway)
  assert.equal(lines[2], `Protocols: ${[...supportedSchemes(), 'ipfs', 'ipns'].sort().join(' ')}`);
  assert.match(lines[2]!, /^Protocols: (\S+ )*http https( \S+)*$/);
  assert.match(lines[3]!, /^Features: \S+( \S+)*$/);
  assert.equal(lines[4], '');
  assert.equal(platformTriplet('x64', 'linux'), 'x86_64-pc-linux-gnu');
});

test('--help layouts follow curl', () => {
  const h = helpText();
  assert.ok(h.startsWith('Usage: tscurl [options...] <url>\n'));
  assert.match(h, /\n -d, --data <data> +Post data\n/);
  assert.ok(h.endsWith('For all options use the manual or "--help all".\n'));
  assert.match(helpText('http'), /^Usage: tscurl \[options\.\.\.\] <url>\nhttp: HTTP and HTTPS protocol options\n     --abstract-unix-socket/);
  assert.match(helpText('nope'), /Invalid category provided, here is a list of all categories:\n\n auth        /);
  assert.match(helpText('category'), /\n tls         All TLS\/SSL related options\n/);
  // option + description never exceeds curl's 80-column budget for the padding
  for (const row of categoryRows('important').split('\n').filter(Boolean)) assert.ok(row.length <= 82, row);
  assert.equal(helpText('all').split('\n').length - 2, 278);
});
