// SSH agent authentication (CURLSSH_AUTH_AGENT): libcurl asks the ssh-agent
// that SSH_AUTH_SOCK names for its keys after public key and password
// authentication failed, and offers each key in turn. Against Debian's
// sshd and OpenSSH's own ssh-agent, compared line for line with
// /usr/bin/curl 7.88.1 (built with libssh2): a key the server accepts, an
// agent with no keys, one with a key the server does not know, no agent,
// and an SSH_AUTH_SOCK that leads nowhere. Through the library: the agent
// alone (SSH_AUTH_TYPES = AGENT) on a multi driven by socketAction(), an
// RSA key (signed by the agent with rsa-sha2), and SSH_AUTH_TYPES without
// the agent bit, which never asks it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CURLOPT, CURLE, CURLSSH_AUTH, Easy, Multi, openSocketCount } from '../../src/index.js';
import { requirePrograms } from '../helpers/requires.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { tscurl, curl } from '../helpers/cli-run.js';
import { fetchUrl, verboseLines } from '../helpers/fetch.js';
import { startAppLoop } from '../helpers/app-loop.js';

const SKIP = requirePrograms(['sshd', 'openssh-server'], ['ssh-keygen', 'openssh-client'], ['ssh-agent', 'openssh-client'], ['ssh-add', 'openssh-client']);
const NO_CURL = requirePrograms(['curl', 'curl']);

interface Agent {
  sock: string;
  add(key: string): void;
  stop(): void;
}

/** An ssh-agent of our own on a socket in a temp dir (bounded: it runs until stop()). */
function startAgent(): Agent {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-agent-'));
  const sock = join(dir, 'agent.sock');
  const out = execFileSync('ssh-agent', ['-a', sock], { encoding: 'utf8' });
  const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)?.[1]);
  return {
    sock,
    add: (key) => void execFileSync('ssh-add', ['-q', key], { env: { SSH_AUTH_SOCK: sock }, stdio: 'ignore' }),
    stop: () => {
      try {
        process.kill(pid);
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let s: Sshd;
let withKey: Agent;
let empty: Agent;
let stranger: Agent;
let rsa: Agent;

before(async () => {
  if (SKIP) return;
  s = await startSshd();
  writeFileSync(join(s.home, 'a.txt'), 'from the agent\n');
  withKey = startAgent();
  withKey.add(s.key);
  empty = startAgent();
  // a key sshd has never seen
  stranger = startAgent();
  const other = join(s.dir, 'other_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other], { stdio: 'ignore' });
  stranger.add(other);
  // an RSA key without a passphrase, made known to sshd now (it reads authorized_keys at each login)
  rsa = startAgent();
  const rsaKey = join(s.dir, 'agent_rsa');
  execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-f', rsaKey], { stdio: 'ignore' });
  appendFileSync(join(s.dir, 'authorized_keys'), readFileSync(`${rsaKey}.pub`));
  rsa.add(rsaKey);
});
after(async () => {
  for (const a of [withKey, empty, stranger, rsa]) a?.stop();
  if (s) await s.stop();
});

/** The authentication lines of a -v run ("* " lines from the method list to the verdict). */
function authLines(stderr: string): string[] {
  const lines = stderr.split('\n').filter((l) => l.startsWith('* '));
  const from = lines.findIndex((l) => l.startsWith('* SSH authentication methods available'));
  return lines.slice(from).filter((l) => !/^\* (Connection #0|Closing connection)/.test(l));
}

test('the tool, as curl 7.88: the agent\'s key logs in when no key file does; no keys, a key the server does not know, no agent, a dead socket', { skip: SKIP || NO_CURL }, async () => {
  const url = `sftp://127.0.0.1:${s.port}/~/a.txt`;
  // no key file: the agent is the only way in (the password is empty and refused)
  const args = ['-sS', '-v', '-k', '-u', `${s.user}:`, '--key', join(s.dir, 'no-such-key'), url];
  const cases: Array<[string, string | null, number, string]> = [
    ['a key the server knows', withKey.sock, 0, 'Agent based authentication successful'],
    ['no keys', empty.sock, 67, 'No identity would match'],
    ['a key the server does not know', stranger.sock, 67, 'No identity would match'],
    ['no SSH_AUTH_SOCK', null, 67, 'Failure connecting to agent'],
    ['a socket that is not there', join(s.dir, 'gone.sock'), 67, 'Failed to disconnect from libssh2 agent: -13 failed closing the agent socket'],
  ];
  for (const [what, sock, code, line] of cases) {
    const env: Record<string, string> = sock ? { SSH_AUTH_SOCK: sock } : {};
    const ours = await tscurl(args, { env });
    const theirs = await curl(args, { env });
    assert.equal(ours.code, code, `${what}: ${ours.stderr}`);
    assert.equal(theirs.code, code, `${what}: curl ${theirs.stderr}`);
    assert.equal(ours.stdout, theirs.stdout, what);
    assert.ok(authLines(ours.stderr).includes(`* ${line}`), `${what}: ${ours.stderr}`);
    assert.deepEqual(authLines(ours.stderr), authLines(theirs.stderr), what);
  }
});

test('the library: SSH_AUTH_TYPES = AGENT alone, on a multi driven by socketAction(); an RSA key signed by the agent', { skip: SKIP }, async () => {
  const saved = process.env['SSH_AUTH_SOCK'];
  const before = openSocketCount();
  try {
    for (const agent of [withKey, rsa]) {
      process.env['SSH_AUTH_SOCK'] = agent.sock;
      const multi = new Multi();
      const loop = startAppLoop(multi, { record: false });
      const e = new Easy();
      const chunks: Buffer[] = [];
      e.setopt(CURLOPT.URL, `sftp://127.0.0.1:${s.port}/~/a.txt`);
      e.setopt(CURLOPT.USERNAME, s.user);
      e.setopt(CURLOPT.SSH_KNOWNHOSTS, s.knownHosts);
      e.setopt(CURLOPT.SSH_AUTH_TYPES, CURLSSH_AUTH.AGENT);
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (chunks.push(Buffer.from(d)), d.length));
      const lines = verboseLines(e);
      multi.addHandle(e);
      multi.socketAction(-1, 0);
      await loop.finished;
      loop.stop();
      assert.equal(loop.done[0]?.result, CURLE.OK, lines.join('\n'));
      assert.equal(Buffer.concat(chunks).toString(), 'from the agent\n');
      assert.ok(lines.includes('Agent based authentication successful'), lines.join('\n'));
      // public key and password were not allowed, so not tried
      assert.ok(!lines.some((l) => l.startsWith('Using SSH private key file')), lines.join('\n'));
      multi.removeHandle(e);
      e.cleanup();
      multi.cleanup();
    }
    assert.equal(openSocketCount(), before, 'every socket was closed');
  } finally {
    if (saved === undefined) delete process.env['SSH_AUTH_SOCK'];
    else process.env['SSH_AUTH_SOCK'] = saved;
  }
});

test('the library: without the AGENT bit in SSH_AUTH_TYPES the agent is never asked', { skip: SKIP }, async () => {
  const saved = process.env['SSH_AUTH_SOCK'];
  try {
    process.env['SSH_AUTH_SOCK'] = withKey.sock;
    let lines: string[] = [];
    const r = await fetchUrl(`sftp://127.0.0.1:${s.port}/~/a.txt`, (e) => {
      e.setopt(CURLOPT.USERPWD, `${s.user}:wrong`);
      e.setopt(CURLOPT.SSH_KNOWNHOSTS, s.knownHosts);
      e.setopt(CURLOPT.SSH_PRIVATE_KEYFILE, join(s.dir, 'no-such-key'));
      e.setopt(CURLOPT.SSH_AUTH_TYPES, CURLSSH_AUTH.PUBLICKEY | CURLSSH_AUTH.PASSWORD);
      lines = verboseLines(e);
    });
    assert.equal(r.code, CURLE.LOGIN_DENIED, lines.join('\n'));
    assert.ok(!lines.some((l) => /agent|identity/i.test(l)), lines.join('\n'));
    r.easy.cleanup();
    // the same with the default (CURLSSH_AUTH_ANY) gets in through the agent
    const ok = await fetchUrl(`sftp://127.0.0.1:${s.port}/~/a.txt`, (e) => {
      e.setopt(CURLOPT.USERPWD, `${s.user}:wrong`);
      e.setopt(CURLOPT.SSH_KNOWNHOSTS, s.knownHosts);
      e.setopt(CURLOPT.SSH_PRIVATE_KEYFILE, join(s.dir, 'no-such-key'));
    });
    assert.equal(ok.code, CURLE.OK);
    assert.equal(ok.body, 'from the agent\n');
    ok.easy.cleanup();
  } finally {
    if (saved === undefined) delete process.env['SSH_AUTH_SOCK'];
    else process.env['SSH_AUTH_SOCK'] = saved;
  }
});
