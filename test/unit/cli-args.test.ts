import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, lookupLong, type ParsedArgs, type ParseIo } from '../../src/cli/args.js';
import { parseConfigText } from '../../src/cli/config-file.js';
import { ParamError } from '../../src/cli/param-error.js';

function io(files: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}): Partial<ParseIo> & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    env,
    warnings,
    readFile: (p: string) => {
      if (!(p in files)) throw new Error('ENOENT');
      return Buffer.from(files[p]!);
    },
    exists: (p: string) => p in files,
    warn: (m: string) => warnings.push(m),
  };
}

/** [long, value] pairs of group n, globals first. */
function pairs(p: ParsedArgs, n = 0): [string, string | boolean][] {
  return [...p.globals, ...p.groups[n]!.entries].map((e) => [e.opt.long, e.value]);
}

function err(fn: () => unknown): ParamError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ParamError) return e;
    throw e;
  }
  assert.fail('no ParamError');
}

test('short options bundle, take attached or next arguments', () => {
  const p = parseArgs(['-sSfL', '-o', 'out', '-ofile2', '-sXPUT', 'http://h/'], io());
  // show-error has curl's "Scope: global"; silent is global in curl's code (global->silent)
  assert.deepEqual(p.globals.map((e) => [e.opt.long, e.value]), [['silent', true], ['show-error', true], ['silent', true]]);
  assert.deepEqual(p.groups[0]!.entries.map((e) => [e.opt.long, e.value]), [
    ['fail', true], ['location', true], ['output', 'out'], ['output', 'file2'], ['request', 'PUT'], ['url', 'http://h/'],
  ]);
});

test('long options: exact, unique prefix, ambiguous, unknown, case-insensitive', () => {
  assert.equal(lookupLong('verbo') !== 'OPTION_UNKNOWN' && typeof lookupLong('verbo') === 'object', true);
  assert.equal(lookupLong('h'), 'OPTION_AMBIGUOUS');
  assert.equal(lookupLong('foo'), 'OPTION_UNKNOWN');
  const r = lookupLong('HEAD');
  assert.ok(typeof r === 'object' && r.opt.long === 'head');
  const e = err(() => parseArgs(['--foo'], io()));
  assert.deepEqual(e.lines, ['option --foo: is unknown', "try 'tscurl --help' or 'tscurl --manual' for more information"]);
  assert.equal(e.exitCode, 2);
  assert.equal(err(() => parseArgs(['--h'], io())).lines[0], 'option --h: is ambiguous');
  assert.equal(err(() => parseArgs(['-s%'], io())).lines[0], 'option -s%: is unknown');
});

test('--no- forms only for booleans; no-* names invert', () => {
  const p = parseArgs(['--no-verbose', '--no-buffer', '--buffer', '--no-progress-meter', '--clobber'], io());
  // verbose and no-progress-meter are global (globals come first)
  assert.deepEqual(pairs(p), [['verbose', false], ['no-progress-meter', true], ['no-buffer', true], ['no-buffer', false], ['no-clobber', false]]);
  assert.equal(err(() => parseArgs(['--no-data', 'x'], io())).lines[0], "option --no-data: used '--no-' for option that isn't a boolean");
  // a --no- prefix never abbreviates (curl 7.88 compares the full length)
  assert.equal(err(() => parseArgs(['--no-verb'], io())).lines[0], 'option --no-verb: is unknown');
});

test('missing parameters', () => {
  assert.equal(err(() => parseArgs(['-o'], io())).lines[0], 'option -o: requires parameter');
  assert.equal(err(() => parseArgs(['--url'], io())).lines[0], 'option --url: requires parameter');
  assert.equal(err(() => parseArgs(['-so'], io())).lines[0], 'option -so: requires parameter');
});

test('-- ends options; non-options are URLs', () => {
  const p = parseArgs(['a', '--', '-v', '--url', 'b'], io());
  assert.deepEqual(pairs(p), [['url', 'a'], ['url', '-v'], ['url', '--url'], ['url', 'b']]);
});

test('-: / --next split groups; globals stay global', () => {
  const p = parseArgs(['-v', '-o', 'x', 'u1', '-:', '-d', 'a', 'u2', '--next', 'u3'], io());
  assert.equal(p.groups.length, 3);
  assert.deepEqual(p.globals.map((e) => e.opt.long), ['verbose']);
  assert.deepEqual(p.groups[0]!.entries.map((e) => e.opt.long), ['output', 'url']);
  assert.deepEqual(p.groups[1]!.entries.map((e) => [e.opt.long, e.value]), [['data', 'a'], ['url', 'u2']]);
  assert.deepEqual(p.groups[2]!.entries.map((e) => e.value), ['u3']);
});

test('@file arguments: -d strips CR/LF, --data-binary keeps, -H reads lines, missing file warns', () => {
  const f = io({ '/d': 'a\r\nb\n', '/h': 'X-A: 1\r\n\r\nX-B: 2\n', '-': 'stdin!' });
  const p = parseArgs(['-d', '@/d', '--data-binary', '@/d', '-H', '@/h', '-d', '@-', '-d', '@/missing', '--data-raw', '@/d'], f);
  const e = p.groups[0]!.entries;
  assert.deepEqual(e.map((x) => x.data?.toString() ?? x.value), ['ab', 'a\r\nb\n', 'X-A: 1', 'X-B: 2', 'stdin!', '', '@/d']);
  assert.deepEqual(f.warnings, ['Couldn\'t read data from file "/missing", this makes an empty POST.\n']);
});

test('--data-urlencode forms', () => {
  const f = io({ '/f': 'a b&' });
  const p = parseArgs(['--data-urlencode', 'a b', '--data-urlencode', '=x y', '--data-urlencode', 'n=v w', '--data-urlencode', '@/f', '--data-urlencode', 'k@/f'], f);
  assert.deepEqual(p.groups[0]!.entries.map((x) => x.data!.toString()), ['a+b', 'x+y', 'n=v+w', 'a+b%26', 'k=a+b%26']);
});

test('help/version/manual stop parsing', () => {
  assert.deepEqual(parseArgs(['--help', 'all'], io()).action, { kind: 'help', category: 'all' });
  assert.deepEqual(parseArgs(['-h'], io()).action, { kind: 'help' });
  assert.deepEqual(parseArgs(['-V', '--foo'], io()).action, { kind: 'version' });
  assert.deepEqual(parseArgs(['--manual'], io()).action, { kind: 'manual' });
  assert.equal(err(() => parseArgs(['--foo', '-V'], io())).lines[0], 'option --foo: is unknown');
});

test('config syntax: name = value, name value, name: value, quotes, escapes, comments, dashes', () => {
  const text = [
    '# comment',
    '   ',
    'url = "http://h/a b\\t\\"q\\""',
    'silent',
    '--max-time 5',
    'user-agent: "my agent"',
    '-H "X-Y: z"',
    '  output=out.txt',
    'referer x y',
    '/ also a comment',
  ].join('\n');
  const warns: string[] = [];
  const lines = parseConfigText(text, 'cfg', (m) => warns.push(m));
  assert.deepEqual(lines.map((l) => [l.option, l.param]), [
    ['url', 'http://h/a b\t"q"'], ['silent', undefined], ['--max-time', '5'], ['user-agent', 'my agent'],
    ['-H', 'X-Y: z'], ['output', 'out.txt'], ['referer', 'x'],
  ]);
  assert.deepEqual(warns, ["cfg:9: warning: 'referer' uses unquoted whitespace in the line that may cause side-effects!\n"]);
});

test('-K reads a config file; errors in it are warnings; missing file exits 26', () => {
  const f = io({ '/c': 'foo = bar\nsilent yes\nurl http://h/\n-v\n' });
  const p = parseArgs(['-K', '/c', '-o', 'o'], f);
  assert.deepEqual(pairs(p), [['silent', true], ['verbose', true], ['url', 'http://h/'], ['output', 'o']]);
  assert.deepEqual(f.warnings, ["/c:1: warning: 'foo' is unknown\n", "/c:2: warning: 'silent' had unsupported trailing garbage\n"]);
  const e = err(() => parseArgs(['-K', '/nonexist'], io()));
  assert.equal(e.exitCode, 26);
  assert.deepEqual(e.lines.slice(0, 2), ["cannot read config from '/nonexist'", 'option -K: error encountered when reading a file']);
  // -s before -K hides which file (-S does not bring it back), as curl 7.88
  const quiet = err(() => parseArgs(['-sS', '-K', '/nonexist'], io()));
  assert.deepEqual(quiet.lines.slice(0, 1), ['option -K: error encountered when reading a file']);
});

test('default .curlrc is read unless -q/--disable comes first', () => {
  const files = { '/home/u/.curlrc': 'silent\n', '/xdg/.curlrc': 'verbose\n', '/ch/.curlrc': 'fail\n' };
  assert.deepEqual(pairs(parseArgs(['u'], io(files, { HOME: '/home/u' }))), [['silent', true], ['url', 'u']]);
  assert.deepEqual(pairs(parseArgs(['u'], io(files, { HOME: '/home/u', XDG_CONFIG_HOME: '/xdg' }))), [['verbose', true], ['url', 'u']]);
  assert.deepEqual(pairs(parseArgs(['u'], io(files, { HOME: '/home/u', XDG_CONFIG_HOME: '/xdg', CURL_HOME: '/ch' }))), [['fail', true], ['url', 'u']]);
  assert.deepEqual(pairs(parseArgs(['-q', 'u'], io(files, { HOME: '/home/u' }))), [['url', 'u']]);
  assert.deepEqual(pairs(parseArgs(['--disable', 'u'], io(files, { HOME: '/home/u' }))), [['url', 'u']]);
  // curl 7.88 wants ".curlrc" in XDG_CONFIG_HOME too; .config/curlrc under CURL_HOME or HOME only while XDG_CONFIG_HOME is unset
  const cfgDir = { '/xdg/curlrc': 'verbose\n', '/ch/.config/curlrc': 'fail\n', '/home/u/.config/curlrc': 'silent\n' };
  assert.deepEqual(pairs(parseArgs(['u'], io(cfgDir, { HOME: '/home/u', XDG_CONFIG_HOME: '/xdg' }))), [['url', 'u']]);
  assert.deepEqual(pairs(parseArgs(['u'], io(cfgDir, { HOME: '/home/u', CURL_HOME: '/ch' }))), [['fail', true], ['url', 'u']]);
  assert.deepEqual(pairs(parseArgs(['u'], io(cfgDir, { HOME: '/home/u' }))), [['silent', true], ['url', 'u']]);
  assert.deepEqual(pairs(parseArgs(['u'], io({ ...cfgDir, '/home/u/.curlrc': 'verbose\n' }, { HOME: '/home/u', CURL_HOME: '/ch' }))), [['verbose', true], ['url', 'u']]);
  // -q elsewhere does not prevent reading it
  assert.deepEqual(pairs(parseArgs(['u', '-q'], io(files, { HOME: '/home/u' }))), [['silent', true], ['url', 'u']]);
});

test('--variable and --expand-*', () => {
  const f = io({ '/v': '  file content \n' }, { USER: 'bob' });
  const p = parseArgs([
    '--variable', 'host=example.com', '--variable', '%USER', '--variable', '%NOPE=dflt', '--variable', 'f@/v',
    '--variable', 'part[1-3]=abcdef',
    '--expand-url', 'http://{{host}}/{{USER}}/{{NOPE}}/{{f:trim:url}}/{{part}}/\\{{host}}/{{missing}}',
    '--expand-data', '{{f:trim:json}}|{{host:b64}}|{{enc:64dec}}',
  ], f);
  assert.deepEqual(pairs(p), [
    ['url', 'http://example.com/bob/dflt/file%20content/bcd/{{host}}/'],
    ['data', 'file content|ZXhhbXBsZS5jb20=|'],
  ]);
  assert.equal(err(() => parseArgs(['--variable', '%NOPE'], io())).lines[0], "Variable 'NOPE' import fail, not set");
  assert.equal(err(() => parseArgs(['--variable', 'a=b', '--expand-url', '{{a:bad}}'], io())).reason, 'EXPAND_ERROR');
  assert.equal(err(() => parseArgs(['--expand-verbose'], io())).lines[0], 'option --expand-verbose: is badly used here');
});

test('--name=value (curl 8.16): the text after the first = is the argument of an option that takes one; booleans and unknown names stay unknown words', () => {
  const p = parseArgs(['--header=X-A: b=c', '--output=out=1', '--data=', '--expand-url=http://h/', 'http://g/'], io());
  assert.deepEqual(pairs(p), [['header', 'X-A: b=c'], ['output', 'out=1'], ['data', ''], ['url', 'http://h/'], ['url', 'http://g/']]);
  // an abbreviation before the = works as without one
  assert.deepEqual(pairs(parseArgs(['--heade=X: y', 'http://h/'], io())).slice(0, 1), [['header', 'X: y']]);
  for (const word of ['--verbose=1', '--no-verbose=1', '--nosuch=1']) {
    const e = err(() => parseArgs([word, 'http://h/'], io()));
    assert.match(e.message, new RegExp(`option ${word}: is unknown`));
  }
});
