// AWS SigV4 against AWS's published test suite vectors and a request signed by
// curl 7.88.1 (/usr/bin/curl) with a fixed X-Amz-Date.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { awsSigV4, canonicalQuery, type SigV4Input } from '../../src/auth/aws-sigv4.js';

const base: SigV4Input = {
  param: 'aws:amz:us-east-1:service', hostname: 'example.amazonaws.com', hostHeader: 'example.amazonaws.com',
  method: 'GET', path: '/', query: null, userHeaders: ['X-Amz-Date: 20150830T123600Z'], body: null, streamedBody: false,
  user: 'AKIDEXAMPLE', password: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', now: new Date(0),
};

function sig(r: ReturnType<typeof awsSigV4>): string {
  assert.ok('lines' in r);
  return r.lines[0]!;
}

test('aws-sig-v4-test-suite get-vanilla', () => {
  assert.equal(sig(awsSigV4(base)), 'Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
    'SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
});

test('aws-sig-v4-test-suite get-vanilla-query-order-key-case (the query is sorted)', () => {
  assert.match(sig(awsSigV4({ ...base, query: 'Param2=value2&Param1=value1' })),
    /Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500$/);
});

test('same signature as curl 7.88.1 for a POST with a custom header and given date', () => {
  const r = awsSigV4({
    ...base, param: 'aws:amz:eu-west-1:execute-api', hostname: '127.0.0.1', hostHeader: '127.0.0.1:18003', method: 'POST', path: '/p',
    userHeaders: ['X-Amz-Date: 20230101T000000Z', 'X-Foo:   a   b  '], body: Buffer.from('hello'), user: 'AKID', password: 'SECRET',
  });
  assert.ok('lines' in r);
  assert.deepEqual(r.lines, ['Authorization: AWS4-HMAC-SHA256 Credential=AKID/20230101/eu-west-1/execute-api/aws4_request, ' +
    'SignedHeaders=host;x-amz-date;x-foo, Signature=aa5ad15e5c1e1210894cecddb36c546dfc97ca405010f6f46142295dc76dd54e']);
});

test('providers, date header and region/service from the host name', () => {
  const r = awsSigV4({ ...base, param: 'goog', hostname: 'svc.reg.example.com', hostHeader: 'svc.reg.example.com', userHeaders: [], now: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) });
  assert.ok('lines' in r);
  assert.match(r.lines[0]!, /^Authorization: GOOG4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20240102\/reg\/svc\/goog4_request, SignedHeaders=host;x-goog-date, /);
  assert.equal(r.lines[1], 'X-Goog-Date: 20240102T030405Z');
  const s3 = awsSigV4({ ...base, param: 'aws:amz:us-east-1:s3', userHeaders: [] });
  assert.ok('lines' in s3);
  assert.match(s3.lines[0]!, /SignedHeaders=host;x-amz-content-sha256;x-amz-date,/);
  assert.equal(s3.lines[2], 'x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.deepEqual(awsSigV4({ ...base, param: ':x' }), { code: 43, message: "first aws-sigv4 provider can't be empty" });
  assert.deepEqual(awsSigV4({ ...base, param: 'aws', hostname: 'localhost' }), { code: 3, message: 'service missing in parameters and hostname' });
});

test('canonical query: sorted, %XX upper-cased, bare names get "="', () => {
  assert.equal(canonicalQuery('b=2&a=1&c'), 'a=1&b=2&c=');
  assert.equal(canonicalQuery('x=%2f&y=a b'), 'x=%2F&y=a%20b');
  assert.equal(canonicalQuery(null), '');
});
