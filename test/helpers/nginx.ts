// nginx from Debian, started by the tests (and the benchmarks) on 127.0.0.1
// with a configuration written into a temp dir: one worker, keep-alive
// requests unlimited, optional TLS server with a certificate the caller
// supplies, and a document root the caller fills. A test that needs nginx
// asks requireProgram('nginx', 'nginx-light') (helpers/requires.ts) first:
// skipped with that note on a machine without it, an error under CI, where
// .ci/run installs the package.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProgram } from './requires.js';
import { freePort, canConnect } from './ports.js';
import { stopChild } from './child-stop.js';

/** nginx's path (Debian's, when it is not installed: the benchmarks name it in their error). */
export const NGINX_BIN = findProgram('nginx') ?? '/usr/sbin/nginx';

export interface NginxOptions {
  /** serve TLS on a second port with this certificate chain and key (PEM) */
  tls?: { cert: Buffer | string; key: Buffer | string; extra?: string };
  /** extra directives inside the plain and TLS server blocks */
  serverExtra?: string;
  /** extra directives inside the http block */
  httpExtra?: string;
  /** number of worker processes (default 1) */
  workers?: number;
  /** speak HTTP/2: by ALPN on the TLS port, with prior knowledge (h2c, no HTTP/1) on the plain one */
  http2?: boolean;
}

export interface Nginx {
  /** the document root: write files here before requesting them */
  root: string;
  dir: string;
  port: number;
  tlsPort: number;
  url(path?: string): string;
  tlsUrl(path?: string): string;
  stop(): Promise<void>;
}

function config(dir: string, root: string, port: number, tlsPort: number, o: NginxOptions): string {
  // as root the workers would drop to "nobody" and could not read the temp dir
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  const tls = o.tls
    ? `  server {
    listen 127.0.0.1:${tlsPort} ssl${o.http2 ? ' http2' : ''};
    ssl_certificate ${join(dir, 'tls.crt')};
    ssl_certificate_key ${join(dir, 'tls.key')};
    root ${root};
    ${o.tls.extra ?? ''}
    ${o.serverExtra ?? ''}
  }\n`
    : '';
  return `${user}worker_processes ${o.workers ?? 1};
daemon off;
master_process on;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  keepalive_requests 1000000000;
  keepalive_timeout 120s;
  default_type application/octet-stream;
  sendfile on;
  ${o.httpExtra ?? ''}
  server {
    listen 127.0.0.1:${port}${o.http2 ? ' http2' : ''};
    root ${root};
    ${o.serverExtra ?? ''}
  }
${tls}}
`;
}

/** Start nginx; resolves once it accepts connections. */
export async function startNginx(o: NginxOptions = {}): Promise<Nginx> {
  if (findProgram('nginx') === undefined) throw new Error('nginx is not installed (apt-get install nginx-light); .ci/run installs it');
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-nginx-'));
  const root = join(dir, 'root');
  mkdirSync(root);
  if (o.tls) {
    writeFileSync(join(dir, 'tls.crt'), o.tls.cert);
    writeFileSync(join(dir, 'tls.key'), o.tls.key);
  }
  // a port can be taken between freePort() and nginx's bind: try a few times
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const tlsPort = o.tls ? await freePort() : 0;
    const conf = join(dir, 'nginx.conf');
    writeFileSync(conf, config(dir, root, port, tlsPort, o));
    const child: ChildProcess = spawn(NGINX_BIN, ['-p', dir, '-c', conf], { stdio: 'ignore' });
    let exited = false;
    child.once('exit', () => { exited = true; });
    const deadline = Date.now() + 10_000;
    while (!exited && Date.now() < deadline) {
      if (await canConnect(port) && (!o.tls || await canConnect(tlsPort))) {
        return {
          root, dir, port, tlsPort,
          url: (p = '/') => `http://127.0.0.1:${port}${p}`,
          tlsUrl: (p = '/') => `https://localhost:${tlsPort}${p}`,
          stop: stopChild(child),
        };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!exited) child.kill('SIGKILL');
  }
  const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
  throw new Error(`nginx did not start: ${log.slice(-2000)}`);
}
