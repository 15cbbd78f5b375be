// Debian's dovecot (dovecot-imapd, dovecot-pop3d) as a real IMAP and POP3
// server for the tests: started in the foreground on 127.0.0.1 on free ports
// with a configuration, a password file (one user, a plain password so
// CRAM-MD5 and APOP work) and maildirs in a temp dir, optionally with TLS for
// STARTTLS/STLS. A test asks requireProgram('dovecot', 'dovecot-imapd
// dovecot-pop3d') first.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProgram } from './requires.js';
import { freePort, canConnect } from './ports.js';

export interface Dovecot {
  imapPort: number;
  pop3Port: number;
  user: string;
  password: string;
  /** put a message into the user's INBOX directly (maildir "new") */
  deliver(content: string): void;
  stop(): Promise<void>;
}

/** The uid/gid the mail processes run as: dovecot's own user when we are root (dovecot refuses uid 0), else ours. */
function mailIds(): { uid: number; gid: number } {
  if (process.getuid?.() !== 0) return { uid: process.getuid!(), gid: process.getgid!() };
  const uid = Number(execFileSync('id', ['-u', 'dovecot']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'dovecot']).toString().trim());
  return { uid, gid };
}

export async function startDovecot(o: { tls?: { cert: Buffer; key: Buffer } } = {}): Promise<Dovecot> {
  const bin = findProgram('dovecot') ?? '/usr/sbin/dovecot';
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-dovecot-'));
  // dovecot's own processes (auth, mail) run as its users: they must reach the files here
  chmodSync(dir, 0o755);
  const user = 'user';
  const password = 'secret';
  const { uid, gid } = mailIds();
  for (const d of ['run', 'state', 'home']) mkdirSync(join(dir, d));
  const maildir = join(dir, 'home', user, 'Maildir');
  for (const d of ['new', 'cur', 'tmp']) mkdirSync(join(maildir, d), { recursive: true });
  writeFileSync(join(dir, 'passwd'), `${user}:{PLAIN}${password}::::::\n`);
  let ssl = 'ssl = no';
  if (o.tls) {
    writeFileSync(join(dir, 'tls.crt'), o.tls.cert);
    writeFileSync(join(dir, 'tls.key'), o.tls.key);
    ssl = `ssl = yes\nssl_cert = <${join(dir, 'tls.crt')}\nssl_key = <${join(dir, 'tls.key')}`;
  }
  const imapPort = await freePort();
  const pop3Port = await freePort();
  writeFileSync(join(dir, 'dovecot.conf'), `base_dir = ${join(dir, 'run')}
state_dir = ${join(dir, 'state')}
log_path = ${join(dir, 'dovecot.log')}
protocols = imap pop3
listen = 127.0.0.1
${ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5 apop
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${join(dir, 'passwd')}
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${join(dir, 'home')}/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = ${pop3Port}
  }
  inet_listener pop3s {
    port = 0
  }
}
`);
  const chownAll = (): void => {
    if (process.getuid?.() !== 0) return;
    const walk = (p: string): void => {
      chownSync(p, uid, gid);
      for (const e of readdirSync(p, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(p, e.name));
        else chownSync(join(p, e.name), uid, gid);
      }
    };
    walk(join(dir, 'home'));
  };
  chownAll();
  const child: ChildProcess = spawn(bin, ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  // bounded wait for both listeners (dovecot has no "ready" signal on stdout)
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`dovecot exited: ${stderr}`);
    if ((await canConnect(imapPort)) && (await canConnect(pop3Port))) break;
    if (i > 200) throw new Error('dovecot did not start listening');
    await new Promise((r) => setTimeout(r, 25));
  }
  let n = 0;
  return {
    imapPort, pop3Port, user, password,
    deliver(content: string): void {
      const f = join(maildir, 'new', `${Date.now()}.${process.pid}_${n++}.tscurl`);
      writeFileSync(f, content);
      chownAll();
    },
    stop: async () => {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
