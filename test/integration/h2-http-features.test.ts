// What HTTP/1 has, over HTTP/2 (issue 13, item 3): redirects on the same
// connection, cookies, content decoding, authentication, trailers to the
// header callback and the header API, FAILONERROR, the timing values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { Easy, CURLOPT, CURLE, CURLINFO, CURLH, CURLAUTH } from '../../src/index.js';
import { fetchUrl } from '../helpers/fetch.js';
import { startH2Server } from '../helpers/h2-server.js';

const PRIOR = (e: Easy): void => { e.setopt(CURLOPT.HTTP_VERSION, 5); };

test('a redirect is followed on the same HTTP/2 connection; cookies set on the way are sent back', async () => {
  const srv = await startH2Server((stream, h) => {
    if (h[':path'] === '/r') {
      stream.respond({ ':status': 302, location: '/final', 'set-cookie': 'sid=42; Path=/' });
      stream.end();
      return;
    }
    stream.respond({ ':status': 200 });
    stream.end(`cookie=${h.cookie ?? ''}`);
  });
  try {
    const r = await fetchUrl(srv.url('/r'), (e) => { PRIOR(e); e.setopt(CURLOPT.FOLLOWLOCATION, 1); e.setopt(CURLOPT.COOKIEFILE, ''); });
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'cookie=sid=42');
    assert.equal(r.easy.getinfo(CURLINFO.REDIRECT_COUNT), 1);
    assert.equal(r.easy.getinfo(CURLINFO.RESPONSE_CODE), 200);
    assert.equal(srv.sessions, 1);
    const t = r.easy.getinfo(CURLINFO.TOTAL_TIME_T) as number;
    assert.ok(t >= (r.easy.getinfo(CURLINFO.STARTTRANSFER_TIME_T) as number) && t > 0);
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('gzip content decoding, Basic authentication after a 401, FAILONERROR over HTTP/2', async () => {
  const srv = await startH2Server((stream, h) => {
    if (h[':path'] === '/gz') {
      stream.respond({ ':status': 200, 'content-encoding': 'gzip' });
      stream.end(gzipSync('decoded body'));
    } else if (h[':path'] === '/auth') {
      if (h.authorization !== `Basic ${Buffer.from('u:p').toString('base64')}`) {
        stream.respond({ ':status': 401, 'www-authenticate': 'Basic realm="x"' });
        stream.end('no');
      } else {
        stream.respond({ ':status': 200 });
        stream.end('in');
      }
    } else {
      stream.respond({ ':status': 500 });
      stream.end('err');
    }
  });
  try {
    const g = await fetchUrl(srv.url('/gz'), (e) => { PRIOR(e); e.setopt(CURLOPT.ACCEPT_ENCODING, ''); });
    assert.equal(g.code, CURLE.OK);
    assert.equal(g.body, 'decoded body');
    g.easy.cleanup();
    const a = await fetchUrl(srv.url('/auth'), (e) => { PRIOR(e); e.setopt(CURLOPT.HTTPAUTH, CURLAUTH.ANY); e.setopt(CURLOPT.USERPWD, 'u:p'); });
    assert.equal(a.code, CURLE.OK);
    assert.equal(a.body, 'in');
    a.easy.cleanup();
    const f = await fetchUrl(srv.url('/fail'), (e) => { PRIOR(e); e.setopt(CURLOPT.FAILONERROR, 1); });
    assert.equal(f.code, CURLE.HTTP_RETURNED_ERROR);
    f.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('trailers reach the header callback and the header API (CURLH_TRAILER)', async () => {
  const srv = await startH2Server((stream) => {
    stream.respond({ ':status': 200, 'x-head': 'h' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'x-trailer': 'tv' }));
    stream.end('body');
  });
  try {
    const lines: string[] = [];
    const r = await fetchUrl(srv.url('/t'), (e) => {
      PRIOR(e);
      e.setopt(CURLOPT.HEADERFUNCTION, (d: Buffer) => (lines.push(d.toString('latin1')), d.length));
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'body');
    assert.ok(lines.includes('x-trailer: tv\r\n'), lines.join('|'));
    assert.equal(r.easy.header('x-trailer', 0, CURLH.TRAILER, -1).header?.value, 'tv');
    assert.equal(r.easy.header('x-head', 0, CURLH.HEADER, -1).header?.value, 'h');
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});
