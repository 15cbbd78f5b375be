import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderWriteOut, renderJson, JSON_VARIABLES, type WriteOutSource, type WriteOutSinks } from '../../src/cli/write-out.js';

function source(values: Record<string, string | number | null>, headers: [string, string][] = [], exitCode = 0): WriteOutSource {
  return { get: (n) => values[n], headers: () => headers, exitCode };
}

function render(fmt: string, src: WriteOutSource): { out: string; err: string; warn: string; files: Record<string, string> } {
  const r = { out: '', err: '', warn: '', files: {} as Record<string, string> };
  const sinks: WriteOutSinks = {
    stdout: (s) => void (r.out += s),
    stderr: (s) => void (r.err += s),
    warn: (s) => void (r.warn += s),
    openFile: (p, append) => {
      if (!append || !(p in r.files)) r.files[p] = '';
      return { write: (s) => void (r.files[p] += s), close: () => {} };
    },
  };
  renderWriteOut(fmt, src, sinks);
  return r;
}

const full = source({
  http_code: 200, response_code: 200, http_connect: 0, size_download: 1234, speed_download: 5678, time_total: 1234567,
  time_connect: 5, url: 'http://u:p@h.example:8080/p/a?q=1#f', url_effective: 'https://h2/x', content_type: 'text/html',
  errormsg: null, exitcode: 0, urlnum: 3, num_headers: 2, method: 'GET', http_version: '1.1', filename_effective: 'out',
  curl_version: 'tscurl/0.1.0',
}, [['Date', 'today'], ['X-A', '1'], ['x-a', '2']]);

test('escapes, %%, unknown and unterminated variables', () => {
  const r = render('a%b%%c\\n\\t\\r\\x%{nope}%{x', full);
  assert.equal(r.out, 'a%b%c\n\t\r\\x%{x');
  assert.equal(r.warn, "tscurl: unknown --write-out variable: 'nope'\n");
});

test('numbers, zero-padded codes, times as seconds, strings, null prints nothing', () => {
  assert.equal(render('%{http_code} %{RESPONSE_CODE} %{http_connect} %{size_download} %{speed_download}', full).out, '200 200 000 1234 5678');
  assert.equal(render('%{time_total}|%{time_connect}|%{time_namelookup}', full).out, '1.234567|0.000005|');
  assert.equal(render('%{content_type}|%{errormsg}|%{method}|%{http_version}|%{urlnum}|%{filename_effective}', full).out, 'text/html||GET|1.1|3|out');
});

test('url.* and urle.* parts', () => {
  assert.equal(
    render('%{url.scheme} %{url.user} %{url.password} %{url.host} %{url.port} %{url.path} %{url.query} %{url.fragment}|%{urle.host} %{urle.port}', full).out,
    'http u p h.example 8080 /p/a q=1 f|h2 443',
  );
});

test('%header{} and %{header_json}', () => {
  // the first field of a repeated name, as curl 7.88 (curl_easy_header's index 0)
  assert.equal(render('%header{date}|%header{x-a}|%header{none}|%header{x', full).out, 'today|1||%header{x');
  assert.equal(render('%{header_json}', full).out, '{"date":["today"],\n"x-a":["1","2"]\n}');
  assert.equal(render('%{header_json}', source({})).out, '{\n}');
});

test('%header{name:all:sep} (curl 8.17): every field of the name over the redirect chain, sep between', () => {
  const chain: [string, string][] = [['This', 'one'], ['This', 'two'], ['Other', 'x'], ['this', 'three']];
  const src: WriteOutSource = { ...source({}, [['this', 'three']]), chainHeaders: () => chain };
  assert.equal(render('%header{this:all:***}', src).out, 'one***two***three');
  assert.equal(render('%header{this:all:-{\\}-}|', src).out, 'one-{}-two-{}-three|');
  assert.equal(render('%header{THIS:all:}|%header{this:all}|%header{this}', src).out, 'onetwothree|onetwothree|three');
  assert.equal(render('%header{none:all:,}|', src).out, '|');
  // without a source of the chain, the last response's fields
  assert.equal(render('%header{x-a:all:+}', full).out, '1+2');
  // only the :all: form takes \} as a brace; a plain name ends at the first }
  assert.equal(render('%header{x\\}-a}', full).out, '-a}');
});

test('%{json} lists every variable in order with nulls and curl_version last', () => {
  const j = JSON.parse(render('%{json}', full).out) as Record<string, unknown>;
  assert.deepEqual(Object.keys(j), [...JSON_VARIABLES, 'curl_version']);
  assert.equal(j.http_code, 200);
  assert.equal(j.time_total, 1.234567);
  assert.equal(j.errormsg, null);
  assert.equal(j.curl_version, 'tscurl/0.1.0');
  assert.match(renderJson(full), /"time_connect":0\.000005,/);
  for (const n of ['json', 'header_json', 'stdout', 'stderr', 'onerror', 'url.host']) assert.ok(!JSON_VARIABLES.includes(n));
});

test('%{stderr}, %{stdout}, %output{}, %{onerror}', () => {
  const r = render('a%{stderr}b%{stdout}c%output{f}d%output{>>f}e%output{g}h', full);
  assert.deepEqual([r.out, r.err, r.files], ['ac', 'b', { f: 'de', g: 'h' }]);
  assert.equal(render('ok%{onerror}failed %{exitcode}', full).out, 'ok');
  assert.equal(render('ok%{onerror}failed %{exitcode}', source({ exitcode: 7 }, [], 7)).out, 'okfailed 7');
});

test('%time{} formats UTC with strftime plus %f', () => {
  // 2024-03-05T07:08:09.012345Z, a Tuesday in ISO week 10
  const us = Date.UTC(2024, 2, 5, 7, 8, 9) * 1000 + 12345;
  const src = { ...full, nowUs: () => us };
  assert.equal(render('%time{%Y-%m-%dT%H:%M:%S.%fZ}', src).out, '2024-03-05T07:08:09.012345Z');
  assert.equal(render('%time{%a %A %b %B %e|%j|%u %w|%V %G|%I %p|%s|%z %Z|%%|%q}', src).out,
    'Tue Tuesday Mar March  5|065|2 2|10 2024|07 AM|1709622489|+0000 GMT|%|%q');
  assert.equal(render('%time{%c}', src).out, 'Tue Mar  5 07:08:09 2024');
});
