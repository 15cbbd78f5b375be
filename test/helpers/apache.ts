// Debian's Apache httpd with mod_http2, started by the h2c tests on 127.0.0.1
// with a configuration written into a temp dir: `Protocols h2c http/1.1` and
// `H2Upgrade on`, so it answers an HTTP/1.1 request carrying "Upgrade: h2c"
// with a 101 and the response on HTTP/2 stream 1. The worker MPM: with the
// event MPM, Apache 2.4 sends an upgraded connection a GOAWAY ("timeout") as
// soon as it goes idle, before a body larger than the first window is sent.
// A test that needs it asks requireProgram('apache2', 'apache2') first
// (APACHE_H2C); .ci/run installs the package.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProgram, requireProgram } from './requires.js';
import { freePort, canConnect } from './ports.js';
import { stopChild } from './child-stop.js';

const MODULES = '/usr/lib/apache2/modules';

/** Skip message (or false) for the tests that need Apache with mod_http2. */
export const APACHE_H2C = requireProgram('apache2', 'apache2');

export interface Apache {
  port: number;
  url(path?: string): string;
  /** put a file in the document root */
  write(name: string, data: string | Buffer): void;
  stop(): Promise<void>;
}

function config(dir: string, root: string, port: number): string {
  // as root Apache must drop to an unprivileged user, who then reads the (world-readable) temp dir
  const user = process.getuid?.() === 0 ? 'User nobody\nGroup nogroup\n' : '';
  return `ServerRoot ${dir}
PidFile ${join(dir, 'httpd.pid')}
ErrorLog ${join(dir, 'error.log')}
LogLevel warn
Listen 127.0.0.1:${port}
ServerName 127.0.0.1
Mutex file:${dir} default
LoadModule mpm_worker_module ${MODULES}/mod_mpm_worker.so
LoadModule authz_core_module ${MODULES}/mod_authz_core.so
LoadModule mime_module ${MODULES}/mod_mime.so
LoadModule http2_module ${MODULES}/mod_http2.so
${user}TypesConfig /dev/null
DocumentRoot ${root}
Protocols h2c http/1.1
H2Upgrade on
KeepAlive On
<Directory ${root}>
  Require all granted
</Directory>
`;
}

/** Start Apache in the foreground; resolves once it accepts connections. */
export async function startApache(): Promise<Apache> {
  const bin = findProgram('apache2');
  if (bin === undefined) throw new Error('apache2 is not installed (apt-get install apache2); .ci/run installs it');
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-apache-'));
  const root = join(dir, 'root');
  mkdirSync(root);
  chmodSync(dir, 0o755);
  chmodSync(root, 0o755);
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const conf = join(dir, 'httpd.conf');
    writeFileSync(conf, config(dir, root, port));
    const child: ChildProcess = spawn(bin, ['-f', conf, '-DFOREGROUND'], { stdio: 'ignore' });
    let exited = false;
    child.once('exit', () => { exited = true; });
    const deadline = Date.now() + 10_000;
    while (!exited && Date.now() < deadline) {
      if (await canConnect(port)) {
        return {
          port,
          url: (p = '/') => `http://127.0.0.1:${port}${p}`,
          write: (name, data) => {
            writeFileSync(join(root, name), data, { mode: 0o644 });
            // Apache makes the ETag of a file changed within the current second weak (W/"..."), so two
            // requests a second apart would see different ETags: date the file a minute back
            const past = new Date(Date.now() - 60_000);
            utimesSync(join(root, name), past, past);
          },
          stop: stopChild(child),
        };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!exited) child.kill('SIGKILL');
  }
  const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
  throw new Error(`apache2 did not start: ${log.slice(-2000)}`);
}
