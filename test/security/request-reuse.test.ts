// A reused easy handle must send what its current options say:
//   CVE-2022-32221  POST after PUT: the read callback of the PUT must not be
//                   asked for the POST's body (POSTFIELDS wins)
//   CVE-2023-28322  the same confusion the other ways round (PUT after POST,
//                   GET after PUT, and a duphandle of a PUT handle turned POST)
//   CVE-2015-3236   credentials do not survive curl_easy_reset
//   (libcurl-security.md "CRLF in headers") libcurl sends such values as-is;
//   tscurl refuses them (CURLE_BAD_FUNCTION_ARGUMENT) before sending anything
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';

test('CVE-2022-32221 / CVE-2023-28322: POST after PUT sends POSTFIELDS, not the read callback', async () => {
  const srv = await startRawServer((r) => ok(`${r.method}:${r.body.toString()}`));
  try {
    const url = `http://127.0.0.1:${srv.port}/`;
    const e = new Easy();
    try {
      let reads = 0;
      const data = [Buffer.from('put-data')];
      e.setopt(CURLOPT.URL, url);
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.INFILESIZE, 8);
      e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => {
        reads++;
        const d = data.shift();
        if (!d) return 0;
        d.copy(buf);
        return d.length;
      });
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(srv.requests[0]!.method, 'PUT');
      assert.equal(srv.requests[0]!.body.toString(), 'put-data');
      const readsAfterPut = reads;
      // the application now wants a POST with POSTFIELDS on the same handle
      e.setopt(CURLOPT.POSTFIELDS, 'post-data');
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(srv.requests[1]!.method, 'POST');
      assert.equal(srv.requests[1]!.body.toString(), 'post-data');
      assert.equal(reads, readsAfterPut, 'the read callback was not called for the POST');
      // a duphandle of it is a POST too
      const d = e.duphandle();
      d.setopt(CURLOPT.WRITEFUNCTION, (b: Buffer) => b.length);
      assert.equal(await d.perform(), CURLE.OK);
      assert.equal(srv.requests[2]!.method, 'POST');
      assert.equal(srv.requests[2]!.body.toString(), 'post-data');
      assert.equal(reads, readsAfterPut);
      // and HTTPGET after all that is a plain GET without a body
      e.setopt(CURLOPT.HTTPGET, 1);
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(srv.requests[3]!.method, 'GET');
      assert.equal(srv.requests[3]!.body.length, 0);
      assert.equal(srv.requests[3]!.headers.get('content-length'), undefined);
      d.cleanup();
    } finally {
      e.cleanup();
    }
  } finally {
    await srv.close();
  }
});

test('CVE-2023-28322: PUT after POST reads from the callback, not the old POSTFIELDS', async () => {
  const srv = await startRawServer((r) => ok(`${r.method}:${r.body.toString()}`));
  try {
    const e = new Easy();
    try {
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
      e.setopt(CURLOPT.POSTFIELDS, 'old-post');
      assert.equal(await e.perform(), CURLE.OK);
      let sent = false;
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.INFILESIZE, 7);
      e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => {
        if (sent) return 0;
        sent = true;
        return buf.write('new-put');
      });
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(srv.requests[1]!.method, 'PUT');
      assert.equal(srv.requests[1]!.body.toString(), 'new-put');
    } finally {
      e.cleanup();
    }
  } finally {
    await srv.close();
  }
});

test('CVE-2015-3236: curl_easy_reset forgets the credentials', async () => {
  const srv = await startRawServer(() => ok('x'));
  try {
    const e = new Easy();
    try {
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
      e.setopt(CURLOPT.USERPWD, 'user:secret');
      assert.equal(await e.perform(), CURLE.OK);
      assert.ok(srv.requests[0]!.headers.has('authorization'), 'control');
      e.reset();
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(srv.requests[1]!.headers.get('authorization'), undefined);
      assert.equal(srv.connections, 1, 'even on the same (reused) connection');
    } finally {
      e.cleanup();
    }
  } finally {
    await srv.close();
  }
});

test('a CR or LF in a header option cannot add lines to the request', async () => {
  const srv = await startRawServer(() => ok('x'));
  try {
    const e = new Easy();
    try {
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
      e.setopt(CURLOPT.USERAGENT, 'ua\r\nX-Injected: 1');
      const code = await e.perform();
      assert.notEqual(code, CURLE.OK);
      assert.equal(srv.requests.length, 0, 'nothing was sent');
    } finally {
      e.cleanup();
    }
  } finally {
    await srv.close();
  }
});
