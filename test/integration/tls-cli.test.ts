// tscurl's TLS flags end to end against nginx (client certificates, pins,
// versions, ciphers, CRL, -w %{certs}) and the exit codes curl gives.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startNginx, type Nginx } from '../helpers/nginx.js';
import { testCerts, CLIENT_PASSWORD } from '../helpers/certs.js';
import { parseCertParameter } from '../../src/cli/tls-flags.js';
import { requirePrograms } from '../helpers/requires.js';

const NO_NGINX = requirePrograms(['nginx', 'nginx-light'], ['openssl', 'openssl']);

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
let nginx: Nginx;
before(async () => {
  if (NO_NGINX) return;
  const c = testCerts();
  nginx = await startNginx({
    tls: {
      cert: c.server.cert, key: c.server.key,
      extra: `ssl_protocols TLSv1.2 TLSv1.3; ssl_verify_client optional; ssl_client_certificate ${c.caFile};
        location /who { return 200 "$ssl_client_s_dn\\n"; }
        location /info { return 200 "$ssl_protocol $ssl_cipher\\n"; }`,
    },
  });
});
after(async () => { if (!NO_NGINX) await nginx.stop(); });

function tscurl(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, '-sS', '--cacert', testCerts().caFile, ...args], { encoding: 'utf8', timeout: 20_000 }, (err, stdout, stderr) => {
      const code = (err as { code?: unknown } | null)?.code;
      resolve({ status: err ? (typeof code === 'number' ? code : -1) : 0, stdout, stderr });
    });
  });
}

test('-E cert:password splitting, as curl\'s tool does', () => {
  assert.deepEqual(parseCertParameter('client.pem'), { cert: 'client.pem' });
  assert.deepEqual(parseCertParameter('client.p12:pass:word'), { cert: 'client.p12', password: 'pass:word' });
  assert.deepEqual(parseCertParameter('c\\:d.pem:pw'), { cert: 'c:d.pem', password: 'pw' });
  assert.deepEqual(parseCertParameter('a\\\\b:pw'), { cert: 'a\\b', password: 'pw' });
  assert.deepEqual(parseCertParameter('a\\xb'), { cert: 'a\\xb' });
  assert.deepEqual(parseCertParameter('pkcs11:token=a:b'), { cert: 'pkcs11:token=a:b' });
  assert.deepEqual(parseCertParameter('c.pem:'), { cert: 'c.pem' });
});

test('client certificates: -E/--key, P12 with cert:password, --pass for an encrypted key', { skip: NO_NGINX }, async () => {
  const { client } = testCerts();
  const url = nginx.tlsUrl('/who');
  assert.deepEqual(await tscurl(['-E', client.certFile, '--key', client.keyFile, url]), { status: 0, stdout: 'CN=client\n', stderr: '' });
  const p12 = await tscurl(['-E', `${client.p12File}:${CLIENT_PASSWORD}`, '--cert-type', 'P12', url]);
  assert.equal(p12.stdout, 'CN=client\n', p12.stderr);
  const enc = await tscurl(['-E', client.certFile, '--key', client.encKeyFile, '--pass', CLIENT_PASSWORD, url]);
  assert.equal(enc.stdout, 'CN=client\n', enc.stderr);
  const der = await tscurl(['-E', client.certDerFile, '--cert-type', 'DER', '--key', client.keyDerFile, '--key-type', 'DER', url]);
  assert.equal(der.stdout, 'CN=client\n', der.stderr);
  const none = await tscurl([url]);
  assert.equal(none.stdout, '\n', 'no certificate: nginx saw none');
  const wrong = await tscurl(['-E', client.certFile, '--key', client.encKeyFile, '--pass', 'nope', url]);
  assert.equal(wrong.status, 58);
  assert.equal(wrong.stderr, `tscurl: (58) unable to set private key file: '${client.encKeyFile}' type PEM\n`);
  const missing = await tscurl(['-E', '/nonexistent/cert.pem', url]);
  assert.equal(missing.status, 58);
  assert.match(missing.stderr, /^tscurl: \(58\) could not load PEM client certificate from \/nonexistent\/cert.pem, OpenSSL error error:80000002:system library::No such file or directory/);
});

test('--pinnedpubkey: match, and exit 90 on mismatch', { skip: NO_NGINX }, async () => {
  const c = testCerts();
  const spki = new X509Certificate(c.server.cert).publicKey.export({ type: 'spki', format: 'der' });
  const pin = `sha256//${createHash('sha256').update(spki).digest('base64')}`;
  const ok = await tscurl(['--pinnedpubkey', pin, nginx.tlsUrl('/info')]);
  assert.equal(ok.status, 0, ok.stderr);
  const bad = await tscurl(['--pinnedpubkey', 'sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', nginx.tlsUrl('/info')]);
  assert.equal(bad.status, 90);
  assert.equal(bad.stderr, 'tscurl: (90) SSL: public key does not match pinned public key\n');
});

test('--tlsv1.x, --tls-max, --ciphers, --tls13-ciphers, --curves', { skip: NO_NGINX }, async () => {
  const url = nginx.tlsUrl('/info');
  assert.equal((await tscurl(['--tlsv1.3', url])).stdout, 'TLSv1.3 TLS_AES_256_GCM_SHA384\n');
  assert.equal((await tscurl(['--tlsv1.2', '--tls-max', '1.2', '--ciphers', 'ECDHE-RSA-AES128-GCM-SHA256', url])).stdout,
    'TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256\n');
  assert.equal((await tscurl(['--tls13-ciphers', 'TLS_AES_128_GCM_SHA256', url])).stdout, 'TLSv1.3 TLS_AES_128_GCM_SHA256\n');
  assert.equal((await tscurl(['--curves', 'X25519', url])).status, 0);
  const mismatch = await tscurl(['--tlsv1.3', '--tls-max', '1.2', url]);
  assert.equal(mismatch.status, 35);
  assert.equal(mismatch.stderr, 'tscurl: (35) CURL_SSLVERSION_MAX incompatible with CURL_SSLVERSION\n');
  const badMax = await tscurl(['--tls-max', '2.0', url]);
  assert.equal(badMax.status, 2);
  assert.match(badMax.stderr, /option --tls-max: is badly used here/);
  assert.equal((await tscurl(['--ciphers', 'NOPE', url])).status, 59);
  assert.equal((await tscurl(['--curves', 'nocurve', url])).status, 59);
});

test('--crlfile, --no-sessionid, --cert-status, -w %{num_certs} %{certs}', { skip: NO_NGINX }, async () => {
  const c = testCerts();
  const url = nginx.tlsUrl('/info');
  assert.equal((await tscurl(['--crlfile', c.crlFile, url])).status, 0);
  const badCrl = await tscurl(['--crlfile', `${c.dir}/nope.crl`, url]);
  assert.equal(badCrl.status, 82);
  assert.equal(badCrl.stderr, `tscurl: (82) error loading CRL file: ${c.dir}/nope.crl\n`);
  assert.equal((await tscurl(['--no-sessionid', url])).status, 0);
  const status = await tscurl(['--cert-status', url]);
  assert.equal(status.status, 4, 'OCSP stapling checks are not built in');
  const w = await tscurl(['-o', '/dev/null', '-w', '%{num_certs}\\n%{certs}', url]);
  assert.equal(w.status, 0, w.stderr);
  const [num, ...rest] = w.stdout.split('\n');
  assert.equal(num, '1');
  assert.ok(rest[0]!.startsWith('Subject:CN = server'));
  assert.ok(w.stdout.endsWith(`Cert:${c.server.cert.toString()}`));
  assert.equal((await tscurl(['-o', '/dev/null', '-w', '%{num_certs}', url])).stdout, '1');
});

test('-v over TLS: the ALPN offer, the CA lines, the answer and "using HTTP/1.x" as curl 7.88 prints them', { skip: NO_NGINX }, async () => {
  if (requirePrograms(['curl', 'curl'])) return;
  // lines tscurl cannot print as OpenSSL's curl does: the handshake messages (OpenSSL's message
  // callback), the default CApath of Debian's build, the cipher (Node's list orders AES128 first),
  // and the note on a TLS 1.3 ticket replacing the first (it arrives outside any library call)
  const comparable = (s: string): string => s.split('\n')
    .filter((l) => l.startsWith('* ') && !/TLSv1\.\d \((IN|OUT)\)|CApath:|SSL connection using|Connected to|Trying|Connection #|old SSL session ID is stale/.test(l))
    .join('\n');
  for (const flags of [[], ['--http1.1'], ['--http1.0'], ['--no-alpn'], ['--http2']]) {
    const args = ['-v', '-o', '/dev/null', ...flags, nginx.tlsUrl('/')];
    const ours = await tscurl(args);
    const theirs = await new Promise<string>((resolve) => {
      execFile('/usr/bin/curl', ['-sS', '--cacert', testCerts().caFile, ...args], { encoding: 'utf8', timeout: 20_000 }, (_e, _o, stderr) => resolve(stderr));
    });
    assert.equal(ours.status, 0, ours.stderr);
    assert.equal(comparable(ours.stderr), comparable(theirs), flags.join(' '));
  }
});

test('a server whose issuer is unknown: curl 7.88\'s first verification error (20), its words and exit 60', { skip: NO_NGINX }, async () => {
  if (requirePrograms(['curl', 'curl'])) return;
  // no --cacert: the system store does not know the test CA, and nginx sends the leaf alone
  const args = ['-sS', '-o', '/dev/null', '-w', '%{ssl_verify_result}', nginx.tlsUrl('/')];
  const run = (file: string, argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> => new Promise((resolve) => {
    execFile(file, argv, { encoding: 'utf8', timeout: 20_000 }, (err, stdout, stderr) => {
      const code = (err as { code?: unknown } | null)?.code;
      resolve({ status: err ? (typeof code === 'number' ? code : -1) : 0, stdout, stderr });
    });
  });
  const ours = await run(process.execPath, [MAIN, ...args]);
  const theirs = await run('/usr/bin/curl', args);
  assert.equal(ours.status, 60);
  assert.equal(theirs.status, 60);
  assert.equal(ours.stdout, theirs.stdout);
  assert.equal(ours.stdout, '20');
  assert.equal(ours.stderr.replace(/^tscurl: /m, 'curl: '), theirs.stderr);
});
