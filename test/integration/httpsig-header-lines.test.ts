// HTTP Message Signatures over the application's header lines exactly as they
// go on the wire: libcurl's rules for CURLOPT_HTTPHEADER decide what is sent
// (a 0xA0 byte is no blank, "Name; " sends nothing), the request's own filters
// decide the rest (one custom Host, a Connection merged with TE's, a custom
// Host kept from another host), and the signer covers that, nothing else. A
// loopback server verifies every signature from what it received
// (test/helpers/httpsig-verify.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CURLOPT, CURLE, type Easy } from '../../src/index.js';
import { withRawServer, ok, type RawServer, type ReceivedRequest } from '../helpers/raw-http-server.js';
import { fetchUrl } from '../helpers/fetch.js';
import { signWithEd25519, verifyRequest } from '../helpers/httpsig-verify.js';

function signing(e: Easy, components: string, headers: string[]): void {
  signWithEd25519(e);
  assert.equal(e.setopt(CURLOPT.HTTPSIG_HEADERS, components), CURLE.OK);
  e.setopt(CURLOPT.HTTPHEADER, headers);
}

const withServer = (fn: (srv: RawServer) => Promise<void>, handler = (_r: ReceivedRequest) => ok('hi')): Promise<void> => withRawServer(fn, handler);

test('a value of 0xA0 bytes is sent (no blank to libcurl) and signed as sent, not trimmed away', async () => {
  await withServer(async (srv) => {
    // U+DCA0 is the raw byte 0xA0 in option text (src/url/url-bytes.ts); U+00A0 goes out as UTF-8 C2 A0.
    // "A;b: c" goes out too, as the field "A;b" (not "a", whatever libcurl calls it): "a" is "A: d" alone
    const r = await fetchUrl(`http://127.0.0.1:${srv.port}/nbsp`, (e) =>
      signing(e, 'method x-nbsp: x-utf8: a:', ['X-Nbsp: \udca0\udca0', 'X-Utf8:  a\u00a0 ', 'A;b: c', 'A: d']));
    assert.equal(r.code, CURLE.OK);
    const req = srv.requests[0]!;
    assert.match(req.head, /\r\nX-Nbsp: \xa0\xa0\r\n/);
    assert.match(req.head, /\r\nA;b: c\r\nA: d\r\n/);
    const v = verifyRequest(req);
    assert.match(v.base, /\n"x-nbsp": \xa0\xa0\n"x-utf8": a\xc2\xa0\n"a": d\n/);
  });
});

test('only one custom Host goes out, and only it is signed', async () => {
  await withServer(async (srv) => {
    const r = await fetchUrl(`http://127.0.0.1:${srv.port}/hosts`, (e) =>
      signing(e, 'method host:', [`Host: 127.0.0.1:${srv.port}`, 'Host: second.example']));
    assert.equal(r.code, CURLE.OK);
    const req = srv.requests[0]!;
    assert.doesNotMatch(req.head, /second\.example/);
    assert.match(verifyRequest(req).base, new RegExp(`\\n"host": 127\\.0\\.0\\.1:${srv.port}\\n`));
  });
});

test('a custom Connection merged with TE\'s (TRANSFER_ENCODING) is signed with the value that went out', async () => {
  await withServer(async (srv) => {
    const r = await fetchUrl(`http://127.0.0.1:${srv.port}/te`, (e) => {
      signing(e, 'method connection: x-after:', ['Connection: keep-alive', 'X-After: 1']);
      e.setopt(CURLOPT.TRANSFER_ENCODING, 1);
    });
    assert.equal(r.code, CURLE.OK);
    const req = srv.requests[0]!;
    assert.match(req.head, /\r\nConnection: keep-alive, TE\r\n/);
    assert.match(verifyRequest(req).base, /\n"connection": keep-alive, TE\n"x-after": 1\n/);
  });
});

test('a listed header whose entry sends nothing (or another field) fails before anything is sent', async () => {
  await withServer(async (srv) => {
    const cases: { name: string; components: string; headers: string[] }[] = [
      // "Name;" with blanks after the semicolon: libcurl sends nothing, so nothing may be signed
      { name: 'semicolon-blank', components: 'method x-semi:', headers: ['X-Semi; '] },
      { name: 'semicolon-tab', components: 'method x-semi:', headers: ['X-Semi;\t'] },
      // "X-Sp : v" is a field named "X-Sp " on the wire (RFC 9112 has servers refuse it), not "x-sp"
      { name: 'blank-before-colon', components: 'method x-sp:', headers: ['X-Sp : v'] },
      // "A;b: c" is the field "A;b": no "a" header goes out
      { name: 'semicolon-name', components: 'method a:', headers: ['A;b: c'] },
      // a multipart post's Content-Type is libcurl's, with its boundary: the application's is not sent
      { name: 'mime-content-type', components: 'method content-type:', headers: ['Content-Type: multipart/mixed'] },
    ];
    for (const c of cases) {
      const error = { message: '' };
      const r = await fetchUrl(`http://127.0.0.1:${srv.port}/${c.name}`, (e) => {
        e.setopt(CURLOPT.ERRORBUFFER, error);
        signing(e, c.components, c.headers);
        if (c.name === 'mime-content-type') {
          const mime = e.mimeInit();
          const part = mime.addpart();
          part.name('f');
          part.data('v');
          e.setopt(CURLOPT.MIMEPOST, mime);
        }
      });
      assert.equal(r.code, CURLE.BAD_FUNCTION_ARGUMENT, c.name);
      assert.match(error.message, /to sign is not sent/, c.name);
    }
    assert.deepEqual(srv.requests.map((q) => q.target), []);
  });
});

test('after a redirect to another host (UNRESTRICTED_AUTH) the custom Host stays behind, so signing it fails', async () => {
  await withServer(async (other) => {
    await withServer(async (srv) => {
      const error = { message: '' };
      const r = await fetchUrl(`http://127.0.0.1:${srv.port}/start`, (e) => {
        e.setopt(CURLOPT.ERRORBUFFER, error);
        signing(e, 'method host:', [`Host: 127.0.0.1:${srv.port}`]);
        e.setopt(CURLOPT.FOLLOWLOCATION, 1);
        e.setopt(CURLOPT.UNRESTRICTED_AUTH, 1);
      });
      verifyRequest(srv.requests[0]!);
      assert.equal(r.code, CURLE.BAD_FUNCTION_ARGUMENT);
      assert.match(error.message, /'host' to sign is not sent/);
      assert.equal(other.requests.length, 0);
    }, () => ({ data: `HTTP/1.1 302 Found\r\nLocation: http://localhost:${other.port}/there\r\nContent-Length: 0\r\n\r\n` }));
  });
});
