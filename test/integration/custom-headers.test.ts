// CURLOPT_HTTPHEADER entries on the wire, as libcurl's Curl_add_custom_headers
// sends them (curl test 4): an entry with a colon and a value goes out exactly
// as given (spacing included); "Name;" sends "Name:"; blank values, "Name; "
// and "Name;text" send nothing, yet still replace libcurl's own header of that
// name; a name is what precedes the first ':' or ';', untrimmed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CURLOPT, CURLE } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { fetchUrl } from '../helpers/fetch.js';

test('custom headers go out as given; semicolon and blank forms as libcurl treats them', async () => {
  const srv = await startRawServer(() => ok('ok'));
  const f = await fetchUrl(`http://127.0.0.1:${srv.port}/h`, (e) => {
    e.setopt(CURLOPT.USERAGENT, 'ua/1');
    e.setopt(CURLOPT.HTTPHEADER, [
      'X-Test: foo; ', 'X-Tight:foo', 'X-Spaced:   v   ', 'X-Empty;', 'X-Blank:  ', 'X-Semi;  ',
      'X-Ignored;text', 'no-separator', 'Accept;x', 'User-Agent ;', ' Lead: x', 'X;a:b',
    ]);
  });
  f.easy.cleanup();
  await srv.close();
  assert.equal(f.code, CURLE.OK);
  assert.equal(srv.requests[0]!.head,
    `GET /h HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nUser-Agent: ua/1\r\n` +
    'X-Test: foo; \r\nX-Tight:foo\r\nX-Spaced:   v   \r\nX-Empty:\r\nUser-Agent :\r\n Lead: x\r\nX;a:b\r\n\r\n');
});
