// The WebSocket upgrade's request headers and response check (src/ws/handshake.ts)
// on their own: RFC 6455's sample key, libcurl's header order and "the
// application set it" rule, and the refusals with libcurl's code and message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newWebSocketKey, webSocketAccept, upgradeRequestLines, checkUpgradeResponse, UpgradeResponseCheck } from '../../src/ws/handshake.js';
import { CURLE } from '../../src/codes.js';

test('Sec-WebSocket-Accept of RFC 6455\'s sample key', () => {
  assert.equal(webSocketAccept('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('a key is base64 of 16 fresh random bytes', () => {
  const keys = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const k = newWebSocketKey();
    assert.equal(k.length, 24);
    assert.equal(Buffer.from(k, 'base64').length, 16);
    assert.equal(Buffer.from(k, 'base64').toString('base64'), k);
    keys.add(k);
  }
  assert.equal(keys.size, 50);
});

test('request lines in libcurl\'s order, minus the ones the application set', () => {
  assert.deepEqual(upgradeRequestLines('KEY'), ['Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: KEY']);
  const custom = new Set(['connection', 'sec-websocket-key']);
  assert.deepEqual(upgradeRequestLines('KEY', (n) => custom.has(n.toLowerCase())), ['Upgrade: websocket', 'Sec-WebSocket-Version: 13']);
});

const key = 'dGhlIHNhbXBsZSBub25jZQ==';
const good: Array<[string, string]> = [
  ['Upgrade', 'websocket'],
  ['Connection', 'Upgrade'],
  ['Sec-WebSocket-Accept', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='],
];

test('a correct 101 passes; header names and token case do not matter', () => {
  assert.deepEqual(checkUpgradeResponse(key, 11, 101, good), { ok: true, protocol: null });
  const odd: Array<[string, string]> = [
    ['UPGRADE', 'WebSocket'],
    ['connection', 'keep-alive, UPGRADE'],
    ['sec-websocket-accept', '  s3pPLMBiTxaQ9kYGzzhZRbK+xOo= '],
  ];
  assert.deepEqual(checkUpgradeResponse(key, 11, 101, odd), { ok: true, protocol: null });
  assert.deepEqual(checkUpgradeResponse(key, 11, 101, [...good, ['Sec-WebSocket-Protocol', 'chat']], { requestedProtocols: ['superchat', 'chat'] }), { ok: true, protocol: 'chat' });
  // an extension the application offered (its own Sec-WebSocket-Extensions) may be agreed to, with its parameters
  const deflate: Array<[string, string]> = [...good, ['Sec-WebSocket-Extensions', 'permessage-deflate; client_max_window_bits=15']];
  assert.deepEqual(checkUpgradeResponse(key, 11, 101, deflate, { requestedExtensions: ['permessage-deflate'] }), { ok: true, protocol: null });
  assert.deepEqual(checkUpgradeResponse(key, 11, 101, [...deflate, ['Sec-WebSocket-Extensions', 'x-other']], { requestedExtensions: ['permessage-deflate'] }),
    { ok: false, code: CURLE.HTTP_RETURNED_ERROR, message: 'Refused WebSocket upgrade: extension "x-other" was not asked for' });
});

test('refusals: CURLE_HTTP_RETURNED_ERROR "Refused WebSocket upgrade: ..."', () => {
  const cases: Array<[number, number, Array<[string, string]>, number, string]> = [
    [11, 200, good, CURLE.HTTP_RETURNED_ERROR, 'Refused WebSocket upgrade: 200'],
    [11, 404, [], CURLE.HTTP_RETURNED_ERROR, 'Refused WebSocket upgrade: 404'],
    [11, 302, [], CURLE.HTTP_RETURNED_ERROR, 'Refused WebSocket upgrade: 302'],
    [10, 101, good, CURLE.WEIRD_SERVER_REPLY, 'unexpected 101 response code'],
    [11, 101, good.filter(([n]) => n !== 'Upgrade'), CURLE.HTTP_RETURNED_ERROR, 'Refused WebSocket upgrade: 101 without "Upgrade: websocket"'],
    [11, 101, [['Upgrade', 'h2c'], ...good.slice(1)], CURLE.HTTP_RETURNED_ERROR, 'Refused WebSocket upgrade: 101 without "Upgrade: websocket"'],
    [11, 101, good.filter(([n]) => n !== 'Connection'), CURLE.HTTP_RETURNED_ERROR, 'Refused WebSocket upgrade: 101 without "Connection: Upgrade"'],
    [11, 101, good.slice(0, 2), CURLE.HTTP_RETURNED_ERROR, 'Refused WebSocket upgrade: 101 without Sec-WebSocket-Accept'],
    [11, 101, [...good.slice(0, 2), ['Sec-WebSocket-Accept', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=']], CURLE.HTTP_RETURNED_ERROR, 'Refused WebSocket upgrade: Sec-WebSocket-Accept does not match Sec-WebSocket-Key'],
    [11, 101, [...good, ['Sec-WebSocket-Accept', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=']], CURLE.HTTP_RETURNED_ERROR, 'Refused WebSocket upgrade: Sec-WebSocket-Accept does not match Sec-WebSocket-Key'],
    [11, 101, [...good, ['Sec-WebSocket-Extensions', 'permessage-deflate']], CURLE.HTTP_RETURNED_ERROR, 'Refused WebSocket upgrade: extension "permessage-deflate" was not asked for'],
    [11, 101, [...good, ['Sec-WebSocket-Protocol', 'chat']], CURLE.HTTP_RETURNED_ERROR, 'Refused WebSocket upgrade: subprotocol "chat" was not asked for'],
  ];
  for (const [version, code, headers, want, message] of cases) {
    assert.deepEqual(checkUpgradeResponse(key, version, code, headers), { ok: false, code: want, message }, message);
  }
});

test('a non-101 status is refused at the status line, before any header', () => {
  const c = new UpgradeResponseCheck(key);
  assert.deepEqual(c.status(11, 200), { ok: false, code: CURLE.HTTP_RETURNED_ERROR, message: 'Refused WebSocket upgrade: 200' });
  assert.equal(new UpgradeResponseCheck(key).status(11, 101), null);
});
