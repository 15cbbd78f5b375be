// A small FTP server for tests, on 127.0.0.1: an in-memory file tree, the
// commands libcurl uses (USER PASS ACCT PWD CWD MKD TYPE SIZE MDTM REST RETR
// STOR APPE LIST NLST EPSV PASV EPRT PORT PRET SYST NOOP QUIT, AUTH TLS,
// PBSZ, PROT, CCC with `ccc`), and hooks to make it misbehave: a reply per command that
// replaces the real one (`replies`), raw bytes written instead of a reply
// (`raw`), a data connection closed early (`shortData`). It records every
// command line it got (`commands`, and whether it came in TLS: `secure`) and
// every connection (`controlConnections`).
import { createServer, connect as netConnect, type Server, type Socket, type AddressInfo } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { Creds } from './certs.js';
import { ServerTlsLayer, type CccMode } from './ftp-tls-layer.js';

export type { CccMode } from './ftp-tls-layer.js';

export interface FtpServerOptions {
  /** path ("/dir/file") -> contents */
  files?: Record<string, string | Buffer>;
  /** user -> password; absent: anyone (anonymous included) */
  users?: Record<string, string>;
  /** the login directory PWD reports */
  home?: string;
  /** TLS credentials: AUTH TLS is offered; `implicit` speaks TLS from the first byte (ftps://) */
  tls?: Creds;
  implicit?: boolean;
  /** the greeting */
  greeting?: string;
  /** CCC is accepted (200) and TLS shut down this way (ftp-tls-layer.ts); absent: CCC is an unknown command */
  ccc?: CccMode;
}

export interface FtpTestServer {
  port: number;
  /** every command line received, in order, across connections */
  commands: string[];
  /** per command line of `commands`: it came over TLS */
  secure: boolean[];
  /** close_notify alerts clients sent after a CCC (CCC's active mode sends one, the passive mode none) */
  clientCloseNotify: number;
  /** files as uploaded / stored */
  files: Map<string, Buffer>;
  /** dirs that exist */
  dirs: Set<string>;
  /** command verb -> reply line(s) sent instead of the real answer (multi-line with \r\n) */
  replies: Map<string, string>;
  /** command verb -> raw bytes written instead of any reply (hostile servers) */
  raw: Map<string, (s: Socket) => void>;
  /** RETR sends only this many bytes, then closes the data connection */
  shortData: number | null;
  /** LIST sends this instead of the listing it makes (odd formats, hostile listings) */
  listBody: string | Buffer | null;
  /** STOR/APPE answer this after the data instead of 226 (a 552 disk full) */
  storFinal: string | null;
  /** Resolves once a command line equal to `line` arrived (bounded by the test's own end). */
  waitCommand(line: string): Promise<void>;
  /** control connections accepted so far */
  controlConnections: number;
  /** data connections made (passive accepted + active connected) */
  dataConnections: number;
  /** data connections that finished a TLS handshake (PROT P) */
  dataTls: number;
  close(): Promise<void>;
}

function norm(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return '/' + parts.join('/');
}

export async function startFtpServer(o: FtpServerOptions = {}): Promise<FtpTestServer> {
  const files = new Map<string, Buffer>();
  const dirs = new Set<string>(['/']);
  for (const [p, c] of Object.entries(o.files ?? {})) {
    const n = norm(p);
    files.set(n, Buffer.isBuffer(c) ? c : Buffer.from(c));
    let d = n.slice(0, n.lastIndexOf('/')) || '/';
    // bounded by the path's depth
    while (!dirs.has(d)) {
      dirs.add(d);
      d = d.slice(0, d.lastIndexOf('/')) || '/';
    }
  }
  const home = o.home ?? '/';
  dirs.add(home);
  const sockets = new Set<Socket>();
  const waiters: { line: string; resolve: () => void }[] = [];
  const servers: Server[] = [];
  const state: FtpTestServer = {
    port: 0, commands: [], secure: [], clientCloseNotify: 0, files, dirs, replies: new Map(), raw: new Map(), shortData: null, listBody: null, storFinal: null,
    controlConnections: 0, dataConnections: 0, dataTls: 0,
    waitCommand: (line) => new Promise<void>((resolve) => {
      if (state.commands.includes(line)) return resolve();
      waiters.push({ line, resolve });
    }),
    close: async () => {
      for (const w of waiters.splice(0)) w.resolve();
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((sv) => new Promise<void>((r) => sv.close(() => r()))));
    },
  };

  const control = createServer((raw) => {
    state.controlConnections++;
    sockets.add(raw);
    raw.on('error', () => {});
    raw.on('close', () => sockets.delete(raw));
    let sock: Socket = raw;
    let layer: ServerTlsLayer | null = null;
    if (o.implicit && o.tls) {
      // a TLS layer that CCC can take off again goes over a bridge of ours
      if (o.ccc) layer = newLayer(raw, o.tls);
      else sock = new TLSSocket(raw, { isServer: true, key: o.tls.key, cert: o.tls.cert });
      if (layer) sock = layer.tls;
      sock.on('error', () => {});
    }
    session(sock, raw, layer);
  });
  const newLayer = (raw: Socket, creds: Creds): ServerTlsLayer => {
    const l = new ServerTlsLayer(raw, creds);
    l.tls.on('end', () => state.clientCloseNotify++);
    return l;
  };
  servers.push(control);
  await new Promise<void>((r) => control.listen(0, '127.0.0.1', r));
  state.port = (control.address() as AddressInfo).port;

  function session(first: Socket, raw: Socket, tlsLayer: ServerTlsLayer | null): void {
    let s = first;
    let layer = tlsLayer;
    let cwd = home;
    let user = '';
    let loggedIn = false;
    let type = 'A';
    let rest = 0;
    let protP = false;
    let pasv: Server | null = null;
    let pasvSock: Promise<Socket> | null = null;
    let active: { host: string; port: number } | null = null;
    let buf = '';
    let pwdAnswered = false;
    const reply = (text: string): void => {
      if (!s.destroyed) s.write(text + '\r\n');
    };
    const path = (arg: string): string => norm(arg.startsWith('/') ? arg : `${cwd}/${arg}`);
    const openData = (): Promise<Socket> => {
      state.dataConnections++;
      let p: Promise<Socket>;
      if (pasvSock) p = pasvSock;
      else if (active) {
        const a = active;
        p = new Promise((resolve, reject) => {
          const c = netConnect(a.port, a.host, () => resolve(c));
          c.on('error', reject);
        });
      } else return Promise.reject(new Error('no data connection'));
      pasvSock = null;
      active = null;
      return p.then((d) => {
        sockets.add(d);
        d.on('error', () => {});
        if (!protP || !o.tls) return d;
        const t = new TLSSocket(d, { isServer: true, key: o.tls.key, cert: o.tls.cert });
        t.on('error', () => {});
        return new Promise<Socket>((r) => t.once('secure', () => {
          state.dataTls++;
          r(t);
        }));
      });
    };
    const closePasv = (): void => {
      pasv?.close();
      pasv = null;
    };
    reply(o.greeting ?? '220 tscurl test FTP server');
    const onData = (d: Buffer): void => {
      buf += d.toString('latin1');
      // bounded by the buffer: each pass takes one line
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        if (handle(line) === 'upgrade') return;
      }
    };
    s.on('data', onData);
    s.on('error', () => {});

    function handle(line: string): 'upgrade' | void {
      state.commands.push(line);
      state.secure.push(s !== raw);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i]!.line === line) waiters.splice(i, 1)[0]!.resolve();
      }
      const sp = line.indexOf(' ');
      const verb = (sp < 0 ? line : line.slice(0, sp)).toUpperCase();
      const arg = sp < 0 ? '' : line.slice(sp + 1);
      const rawHook = state.raw.get(verb);
      if (rawHook) return rawHook(s);
      const canned = state.replies.get(verb);
      if (canned !== undefined && verb !== 'RETR' && verb !== 'STOR' && verb !== 'LIST' && verb !== 'NLST' && verb !== 'APPE') {
        return reply(canned);
      }
      switch (verb) {
        case 'AUTH':
          if (!o.tls || arg.toUpperCase() !== 'TLS') return reply('504 not supported');
          reply('234 go ahead');
          s.removeListener('data', onData);
          if (o.ccc) {
            layer = newLayer(raw, o.tls);
            s = layer.tls;
          } else s = new TLSSocket(raw, { isServer: true, key: o.tls.key, cert: o.tls.cert });
          s.on('error', () => {});
          s.on('data', onData);
          return 'upgrade';
        case 'CCC': {
          if (!o.ccc || !layer || s === raw) return reply('500 Unknown command.');
          s.removeListener('data', onData);
          s = raw;
          layer.shutdown(o.ccc, '200 Clearing the command channel\r\n', onData, `257 "${cwd}" is the current directory\r\n`);
          if (o.ccc === 'eager') pwdAnswered = true;
          // the TLS layer's further output (a reply written late) must not reach the clear channel
          return 'upgrade';
        }
        case 'PBSZ': return reply('200 PBSZ=0');
        case 'PROT': protP = arg.toUpperCase() === 'P'; return reply(`200 PROT now ${protP ? 'Private' : 'Clear'}`);
        case 'USER':
          user = arg;
          return reply('331 password please');
        case 'PASS':
          if (o.users && o.users[user] !== arg) return reply('530 Login incorrect.');
          loggedIn = true;
          return reply('230 logged in');
        case 'ACCT': return reply('230 account ok');
        case 'SYST': return reply('215 UNIX Type: L8');
        case 'QUIT':
          reply('221 bye');
          s.end();
          return;
        case 'NOOP': return reply('200 ok');
      }
      if (!loggedIn) return reply('530 Please login with USER and PASS.');
      switch (verb) {
        case 'PWD':
          // 'eager' CCC sent this reply before the command came
          if (pwdAnswered) {
            pwdAnswered = false;
            return;
          }
          return reply(`257 "${cwd}" is the current directory`);
        case 'CWD': {
          const p = path(arg);
          if (!dirs.has(p)) return reply('550 Failed to change directory.');
          cwd = p;
          return reply('250 Directory successfully changed.');
        }
        case 'MKD': {
          const p = path(arg);
          if (dirs.has(p)) return reply('550 Create directory operation failed.');
          dirs.add(p);
          return reply(`257 "${p}" created`);
        }
        case 'TYPE':
          type = arg.toUpperCase().startsWith('A') ? 'A' : 'I';
          return reply(`200 Switching to ${type === 'A' ? 'ASCII' : 'Binary'} mode.`);
        case 'SIZE': {
          const f = files.get(path(arg));
          return f ? reply(`213 ${f.length}`) : reply('550 Could not get file size.');
        }
        case 'MDTM': return files.has(path(arg)) ? reply('213 20240102030405') : reply('550 Could not get file modification time.');
        case 'REST':
          rest = Number(arg);
          return reply(`350 Restart position accepted (${rest}).`);
        case 'PRET': return reply('200 ready');
        case 'EPSV':
        case 'PASV': {
          closePasv();
          const ls = createServer();
          pasv = ls;
          servers.push(ls);
          pasvSock = new Promise((r) => ls.once('connection', (d) => r(d)));
          pasvSock.catch(() => {});
          ls.listen(0, '127.0.0.1', () => {
            const port = (ls.address() as AddressInfo).port;
            if (verb === 'EPSV') reply(`229 Entering Extended Passive Mode (|||${port}|)`);
            else reply(`227 Entering Passive Mode (127,0,0,1,${port >> 8},${port & 255}).`);
          });
          return;
        }
        case 'EPRT': {
          const parts = arg.split(arg[0] ?? '|');
          active = { host: parts[2]!, port: Number(parts[3]) };
          return reply('200 EPRT command successful.');
        }
        case 'PORT': {
          const n = arg.split(',').map(Number);
          active = { host: n.slice(0, 4).join('.'), port: n[4]! * 256 + n[5]! };
          return reply('200 PORT command successful.');
        }
        case 'RETR': {
          const f = files.get(path(arg));
          const canned2 = state.replies.get('RETR');
          if (canned2 !== undefined) return reply(canned2);
          if (!f) return reply('550 Failed to open file.');
          const from = rest;
          rest = 0;
          reply(`150 Opening ${type === 'A' ? 'ASCII' : 'BINARY'} mode data connection for ${arg} (${f.length} bytes).`);
          void openData().then((d) => {
            const body = f.subarray(from);
            const short = state.shortData;
            const final = (): void => reply(short !== null ? '426 Failure writing network stream.' : '226 Transfer complete.');
            // over TLS the data's end (close_notify, FIN) may trail the 226: the reply waits for the
            // connection to close, so that the client always sees the data end first, as in the clear
            if (d instanceof TLSSocket) {
              d.once('close', final);
              d.end(short !== null ? body.subarray(0, short) : body);
            } else d.end(short !== null ? body.subarray(0, short) : body, final);
            closePasv();
          }, () => reply('425 Failed to establish connection.'));
          return;
        }
        case 'LIST':
        case 'NLST': {
          const canned2 = state.replies.get(verb);
          if (canned2 !== undefined) return reply(canned2);
          const dir = arg && !arg.startsWith('-') ? path(arg) : cwd;
          const names = [...files.keys()].filter((p) => p.slice(0, p.lastIndexOf('/')) === (dir === '/' ? '' : dir)).map((p) => p.slice(p.lastIndexOf('/') + 1)).sort();
          const text = verb === 'LIST' && state.listBody !== null ? state.listBody : verb === 'NLST' ? names.map((n) => n + '\r\n').join('')
            : names.map((n) => `-rw-r--r--    1 ftp      ftp      ${String(files.get(`${dir === '/' ? '' : dir}/${n}`)!.length).padStart(8)} Jan 02 03:04 ${n}\r\n`).join('');
          reply('150 Here comes the directory listing.');
          void openData().then((d) => {
            d.end(text, () => reply('226 Directory send OK.'));
            closePasv();
          }, () => reply('425 Failed to establish connection.'));
          return;
        }
        case 'STOR':
        case 'APPE': {
          const canned2 = state.replies.get(verb);
          if (canned2 !== undefined) return reply(canned2);
          const p = path(arg);
          const dir = p.slice(0, p.lastIndexOf('/')) || '/';
          if (!dirs.has(dir)) return reply('553 Could not create file.');
          reply('150 Ok to send data.');
          void openData().then((d) => {
            const chunks: Buffer[] = [];
            d.on('data', (c: Buffer) => chunks.push(c));
            d.on('end', () => {
              const got = Buffer.concat(chunks);
              files.set(p, verb === 'APPE' ? Buffer.concat([files.get(p) ?? Buffer.alloc(0), got]) : got);
              d.end();
              reply(state.storFinal ?? '226 Transfer complete.');
            });
            closePasv();
          }, () => reply('425 Failed to establish connection.'));
          return;
        }
        default:
          return reply('500 Unknown command.');
      }
    }
  }
  return state;
}
