// Debian's aiosmtpd (python3-aiosmtpd) as a real SMTP server for the tests:
// started on 127.0.0.1 on a port of its own choosing, with AUTH PLAIN/LOGIN
// for one user, optional STARTTLS with a certificate the caller supplies, and
// every accepted message written as a JSON file into a temp dir. A test asks
// requireProgram('aiosmtpd', 'python3-aiosmtpd') first.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = String.raw`
import asyncio, json, os, ssl, sys, base64
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

outdir, user, password, cert, key = sys.argv[1:6]

class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if 'reject' in address:
            return '550 5.1.1 no such user'
        envelope.rcpt_tos.append(address)
        return '250 OK'
    async def handle_DATA(self, server, session, envelope):
        n = len(os.listdir(outdir))
        with open(os.path.join(outdir, 'msg%03d.json' % n), 'w') as f:
            json.dump({'from': envelope.mail_from, 'to': envelope.rcpt_tos,
                       'options': envelope.mail_options,
                       'content': base64.b64encode(envelope.original_content).decode(),
                       'auth': bool(session.authenticated), 'tls': session.ssl is not None}, f)
        return '250 OK queued'

def auth(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and data.login == user.encode() and data.password == password.encode()
    return AuthResult(success=ok)

async def main():
    ctx = None
    if cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cert, key)
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(lambda: SMTP(Handler(), authenticator=auth, auth_require_tls=False,
        tls_context=ctx, require_starttls=False, hostname='tscurl.test'), host='127.0.0.1', port=0)
    print(srv.sockets[0].getsockname()[1], flush=True)
    await srv.serve_forever()

asyncio.run(main())
`;

export interface SentMail {
  from: string;
  to: string[];
  options: string[];
  content: Buffer;
  auth: boolean;
  tls: boolean;
}

export interface SmtpServer {
  port: number;
  /** the messages accepted so far, oldest first */
  messages(): SentMail[];
  stop(): Promise<void>;
}

export async function startAiosmtpd(o: { user?: string; password?: string; tls?: { cert: Buffer; key: Buffer } } = {}): Promise<SmtpServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-smtpd-'));
  const out = join(dir, 'out');
  writeFileSync(join(dir, 'server.py'), SCRIPT);
  mkdirSync(out);
  let cert = '';
  let key = '';
  if (o.tls) {
    cert = join(dir, 'tls.crt');
    key = join(dir, 'tls.key');
    writeFileSync(cert, o.tls.cert);
    writeFileSync(key, o.tls.key);
  }
  const child: ChildProcess = spawn('/usr/bin/python3', [join(dir, 'server.py'), out, o.user ?? 'user', o.password ?? 'secret', cert, key],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /^(\d+)\n/.exec(text);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`aiosmtpd exited (${code}): ${stderr}`)));
  });
  return {
    port,
    messages: () => readdirSync(out).sort().map((f) => {
      const j = JSON.parse(readFileSync(join(out, f), 'utf8'));
      return { ...j, content: Buffer.from(j.content, 'base64') } as SentMail;
    }),
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
