// tscurl/node-libcurl's lower-level classes end to end: Easy (setOpt,
// getInfo, perform, callbacks with node-libcurl's arguments), Multi
// (addHandle + onMessage, perform(easy) promises, removeHandle), Share
// (cookies across handles), CurlMime / setMimePost / HTTPPOST uploads, and
// the enums and error classes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Easy, Multi, Share, CurlMime, Curl, CurlCode, CurlMultiCode, CurlShareCode, CurlShareOption, CurlShareLock, CurlFeature,
  CurlPause, CurlWriteFunc, CurlEasyError, CurlMultiError, CurlSharedError, CurlError, CurlReadFunc, curly,
} from '../../src/compat/node-libcurl/index.js';
import { startRawServer, ok, type ReceivedRequest } from '../helpers/raw-http-server.js';

test('Easy: setOpt answers CURLcodes, callbacks get (buffer, size, nmemb) with this = the Easy, perform() resolves the CURLcode', async () => {
  const srv = await startRawServer((r) => ok(`got ${r.body.length}`));
  try {
    const easy = new Easy();
    assert.equal(easy.setOpt('URL', `http://127.0.0.1:${srv.port}/`), CurlCode.CURLE_OK);
    assert.equal(easy.setOpt('NOT_AN_OPTION', 1), CurlCode.CURLE_UNKNOWN_OPTION);
    const body = Buffer.from('0123456789'.repeat(100));
    let offset = 0;
    easy.setOpt('UPLOAD', true);
    easy.setOpt('INFILESIZE', body.length);
    easy.setOpt('READFUNCTION', function (this: Easy, buf: Buffer, size: number, nmemb: number) {
      assert.equal(this, easy);
      const n = body.copy(buf, 0, offset, offset + Math.min(size * nmemb, 300));
      offset += n;
      return n;
    });
    const chunks: Buffer[] = [];
    easy.setOpt('WRITEFUNCTION', function (this: Easy, buf: Buffer, size: number, nmemb: number) {
      assert.equal(this, easy);
      chunks.push(buf);
      return size * nmemb;
    });
    assert.equal(await easy.perform(), CurlCode.CURLE_OK);
    assert.equal(Buffer.concat(chunks).toString(), 'got 1000');
    assert.deepEqual(easy.getInfo('RESPONSE_CODE'), { code: CurlCode.CURLE_OK, data: 200 });
    assert.equal(easy.getInfo('SIZE_UPLOAD_T').data, 1000);
    assert.equal(Easy.strError(CurlCode.CURLE_COULDNT_CONNECT), "Couldn't connect to server");
    const copy = easy.dupHandle();
    assert.notEqual(copy.id, easy.id);
    copy.close();
    // node-libcurl's copy constructor: the same options, callbacks called with the copy as `this`
    const viaCtor = new Easy(easy);
    let self: unknown = null;
    viaCtor.setOpt('UPLOAD', false);
    viaCtor.setOpt('WRITEFUNCTION', function (this: Easy, b: Buffer) { self = this; return b.length; });
    assert.equal(await viaCtor.perform(), CurlCode.CURLE_OK);
    assert.equal(self, viaCtor);
    assert.equal(viaCtor.getInfo('EFFECTIVE_URL').data, `http://127.0.0.1:${srv.port}/`);
    viaCtor.close();
    assert.throws(() => new Easy({} as Easy), CurlEasyError);
    easy.close();
    assert.throws(() => easy.close(), (e: unknown) => e instanceof CurlEasyError && e.code === CurlCode.CURLE_BAD_FUNCTION_ARGUMENT);
  } finally {
    await srv.close();
  }
});

test('Multi: addHandle + onMessage get (error, easy, errorCode); perform(easy) resolves or rejects with the code', async () => {
  const srv = await startRawServer((r) => ok(r.target));
  const dead = await startRawServer(() => ({ hang: true }));
  const deadPort = dead.port;
  await dead.close();
  const multi = new Multi();
  try {
    const bodies = new Map<Easy, string>();
    const make = (url: string): Easy => {
      const e = new Easy();
      e.setOpt('URL', url);
      e.setOpt('WRITEFUNCTION', (b: Buffer) => { bodies.set(e, (bodies.get(e) ?? '') + b.toString()); return b.length; });
      return e;
    };
    const handles = [1, 2, 3].map((i) => make(`http://127.0.0.1:${srv.port}/${i}`));
    handles.push(make(`http://127.0.0.1:${deadPort}/`));
    const results = await new Promise<[Error | null, Easy, number][]>((resolve) => {
      const out: [Error | null, Easy, number][] = [];
      multi.onMessage((error, easy, code) => {
        out.push([error, easy, code]);
        multi.removeHandle(easy);
        if (out.length === handles.length) resolve(out);
      });
      for (const h of handles) assert.equal(multi.addHandle(h), CurlMultiCode.CURLM_OK);
      assert.equal(multi.getCount(), 4);
    });
    assert.equal(multi.getCount(), 0);
    for (const [error, easy, code] of results) {
      if (easy === handles[3]) {
        assert.equal(code, CurlCode.CURLE_COULDNT_CONNECT);
        assert.ok(error instanceof CurlEasyError && error.code === code);
      } else {
        assert.equal(error, null);
        assert.equal(code, CurlCode.CURLE_OK);
        assert.equal(bodies.get(easy), `/${handles.indexOf(easy) + 1}`);
      }
    }
    assert.throws(() => { multi.addHandle(handles[0]!); multi.addHandle(handles[0]!); },
      (e: unknown) => e instanceof CurlMultiError && e.code === CurlMultiCode.CURLM_ADDED_ALREADY);
    multi.removeHandle(handles[0]!);
    const done = await multi.perform(handles[1]!);
    assert.equal(done, handles[1]);
    multi.removeHandle(handles[1]!);
    await assert.rejects(multi.perform(handles[3]!), (e: unknown) => e instanceof CurlEasyError && e.code === CurlCode.CURLE_COULDNT_CONNECT);
    multi.removeHandle(handles[3]!);
    assert.throws(() => multi.setOpt('MAXCONNECTS', 'x'), (e: unknown) => e instanceof CurlMultiError && e.code === CurlMultiCode.CURLM_BAD_FUNCTION_ARGUMENT);
    assert.equal(multi.setOpt('MAXCONNECTS', 2), CurlMultiCode.CURLM_OK);
    for (const h of handles) h.close();
  } finally {
    multi.close();
    await srv.close();
  }
  assert.throws(() => multi.close(), (e: unknown) => e instanceof CurlMultiError && e.code === CurlMultiCode.CURLM_BAD_HANDLE);
});

test('Curl.setMulti runs requests on the given Multi; removing a running handle rejects its perform()', async () => {
  const srv = await startRawServer((r) => (r.target === '/hang' ? { hang: true } : ok('m')));
  const multi = new Multi();
  try {
    const curl = new Curl();
    curl.setMulti(multi).setOpt('URL', `http://127.0.0.1:${srv.port}/`);
    const data = await new Promise((resolve) => { curl.on('end', (_s: number, d: string) => resolve(d)); curl.perform(); });
    assert.equal(data, 'm');
    curl.close();
    const easy = new Easy();
    easy.setOpt('URL', `http://127.0.0.1:${srv.port}/hang`);
    const pending = multi.perform(easy);
    for (let i = 0; i < 200 && srv.requests.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    multi.removeHandle(easy);
    await assert.rejects(pending, CurlEasyError);
    easy.close();
  } finally {
    multi.close();
    await srv.close();
  }
});

test('Share: two handles sharing cookies see each other\'s', async () => {
  const srv = await startRawServer((r) => (r.target === '/set' ? ok('', 'Set-Cookie: s=42; Path=/\r\n') : ok(r.headers.get('cookie') ?? 'none')));
  try {
    const share = new Share();
    assert.equal(share.setOpt(CurlShareOption.SHARE, CurlShareLock.DataCookie), CurlShareCode.CURLSHE_OK);
    const a = new Curl();
    const b = new Curl();
    for (const c of [a, b]) c.setOpt('SHARE', share).setOpt('COOKIEFILE', '');
    a.setOpt('URL', `http://127.0.0.1:${srv.port}/set`);
    b.setOpt('URL', `http://127.0.0.1:${srv.port}/get`);
    await new Promise((r) => { a.once('end', r); a.perform(); });
    const got = await new Promise((r) => { b.once('end', (_s: number, d: string) => r(d)); b.perform(); });
    assert.equal(got, 's=42');
    a.close();
    b.close();
    share.close();
    assert.throws(() => share.close(), (e: unknown) => e instanceof CurlSharedError && e.code === CurlShareCode.CURLSHE_INVALID);
    assert.throws(() => share.setOpt(CurlShareOption.SHARE, CurlShareLock.DataDns), CurlSharedError);
    assert.equal(Share.strError(CurlShareCode.CURLSHE_IN_USE), share.strError(CurlShareCode.CURLSHE_IN_USE));
  } finally {
    await srv.close();
  }
});

function multipartNames(r: ReceivedRequest): string[] {
  return [...r.body.toString('latin1').matchAll(/Content-Disposition: form-data; name="([^"]+)"(?:; filename="([^"]+)")?/g)]
    .map((m) => (m[2] ? `${m[1]}:${m[2]}` : m[1]!));
}

test('CurlMime, setMimePost (with a stream part) and HTTPPOST send multipart/form-data', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nlc-mime-'));
  const srv = await startRawServer(() => ok('ok'));
  try {
    const file = join(dir, 'note.txt');
    writeFileSync(file, 'file body');
    const url = `http://127.0.0.1:${srv.port}/`;
    const curl = new Curl();
    const mime = new CurlMime(curl);
    mime.addPart().setName('field').setData('value');
    mime.addPart().setName('doc').setFileData(file).setType('text/plain');
    curl.setOpt('URL', url).setOpt('MIMEPOST', mime);
    await new Promise((r) => { curl.once('end', r); curl.perform(); });
    curl.close();
    let req = srv.requests.at(-1)!;
    assert.match(req.headers.get('content-type')!, /^multipart\/form-data; boundary=/);
    assert.deepEqual(multipartNames(req), ['field', 'doc:note.txt']);
    assert.match(req.body.toString(), /file body/);

    await curly.post(url, {
      curlyMimePost: [
        { type: 'data', name: 'a', data: 'A' },
        { type: 'stream', name: 's', stream: Readable.from([Buffer.from('streamed '), Buffer.from('part')]), fileName: 's.bin' },
      ],
    });
    req = srv.requests.at(-1)!;
    assert.deepEqual(multipartNames(req), ['a', 's:s.bin']);
    assert.match(req.body.toString(), /streamed part/);

    await curly.post(url, { httpPost: [{ name: 'h', contents: 'H' }, { name: 'f', file, type: 'text/plain' }] });
    req = srv.requests.at(-1)!;
    assert.deepEqual(multipartNames(req), ['h', 'f:note.txt']);
    assert.throws(() => curly.post(url, { mimePost: 'nope' }), TypeError);
  } finally {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('enums keep TypeScript enum shape and libcurl values; error classes carry code', () => {
  assert.equal(CurlFeature.StreamResponse, 16);
  assert.equal(CurlFeature[16], 'StreamResponse');
  assert.equal(CurlCode.CURLE_OPERATION_TIMEDOUT, 28);
  assert.equal(CurlCode[7], 'CURLE_COULDNT_CONNECT');
  assert.equal(CurlPause.Recv, 1);
  assert.equal(CurlWriteFunc.Pause, 0x10000001);
  assert.equal(CurlReadFunc.Abort, 0x10000000);
  assert.equal(Curl.option.URL, 10002);
  assert.equal(Curl.info.RESPONSE_CODE, 0x200002);
  const e = new CurlEasyError('m', 7);
  assert.ok(e instanceof CurlError && e instanceof Error);
  assert.equal(e.code, 7);
  assert.equal(CurlEasyError.name, 'CurlEasyError');
  assert.ok(Curl.isVersionGreaterOrEqualThan(7, 0, 0));
  assert.match(Curl.getVersionInfoString(), /^Version: .*\nProtocols: .*http.*\nFeatures: /);
});
