// The FTP side of the scripted server (ftpserver.pl's FTP commands): its
// fixed replies, and the commands that look at the test file or use the data
// connection. What the cases observe:
//  - RETR N sends <data> (RETR N000P sends <dataP>) in a 150 reply naming
//    the size ("size?" with RETRNOSIZE, another with RETRSIZE; RETRWEIRDO
//    puts the 226 in the same write as the 150), closes the data connection,
//    then says 226; nothing to send is "550 N: No such file or directory.";
//    a REST offset only shrinks the size the 150 reply states;
//  - LIST sends <data> with every line ending made CRLF; NLST a fixed list;
//  - STOR/APPE N answer 125, store the upload in log/upload.N until the
//    client closes the data connection (`STOR msg`: the reply after the first
//    chunk), then 226;
//  - without a data connection, a transfer command says nothing (the client
//    times out), or 150 and 425/421 (NODATACONN425/421), or only 150;
//  - SIZE N gives <size> (or the data's length), MDTM N gives <mdtm>;
//  - a number that is not the running test's names a test file that does not
//    exist: no data, no size.

import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { perlNumber } from './pingpong-commands.js';
import type { Handler, PingPongProtocol, Session } from './pingpong-server.js';

const WELCOME =
  '220-        _   _ ____  _\r\n' +
  '220-    ___| | | |  _ \\| |\r\n' +
  '220-   / __| | | | |_) | |\r\n' +
  '220-  | (__| |_| |  _ {| |___\r\n' +
  '220    \\___|\\___/|_| \\_\\_____|\r\n';

const DISPLAY: Record<string, string> = {
  USER: '331 We are happy you popped in!',
  PASS: '230 Welcome you silly person',
  PORT: '200 You said PORT - I say FINE',
  TYPE: '200 I modify TYPE as you wanted',
  LIST: '150 here comes a directory',
  NLST: '150 here comes a directory',
  CWD: '250 CWD command successful.',
  SYST: '215 UNIX Type: L8',
  QUIT: '221 bye bye baby',
  MKD: '257 Created your requested directory',
  REST: '350 Yeah yeah we set it there for you',
  DELE: '200 OK OK OK whatever you say',
  RNFR: '350 Received your order. Please provide more',
  RNTO: '250 Ok, thanks. File renaming completed.',
  NOOP: "200 Yes, I'm very good at doing nothing.",
  PBSZ: '500 PBSZ not implemented',
  PROT: '500 PROT not implemented',
};

/** The replies to a transfer command when there is no data connection. */
async function noDataConnection(s: Session): Promise<void> {
  const c = s.cmds;
  if (c.noDataConn425) await s.send('150 Opening data connection\r\n425 Can\'t open data connection\r\n');
  else if (c.noDataConn421) await s.send('150 Opening data connection\r\n421 Connection timed out\r\n');
  else if (c.noDataConn150) await s.send('150 Opening data connection\r\n');
  // else: nothing, the client shall time out
}

/** The test file a RETR/MDTM argument names, and the <data> part number. */
function testAndPart(arg: string): { file: string; part: string } {
  const n = perlNumber(arg);
  return n > 10000 ? { file: String(Math.floor(n / 10000)), part: String(n % 10000) } : { file: arg, part: '' };
}

/** CWD's directory bookkeeping: test-N names a test and changes nothing; other paths are followed. */
function changeDirectory(s: Session, target: string): void {
  if (/^test-(\d+)/.test(target)) return;
  if (target === '/') {
    s.state.ftpDir = '/';
    return;
  }
  const dirs = target.split('/');
  while (dirs.length && dirs[dirs.length - 1] === '') dirs.pop();
  for (const d of dirs) {
    if (!s.state.ftpDir) s.state.ftpDir = '/';
    if (d === '') s.state.ftpDir = '/';
    else if (d === '..') {
      if (s.state.ftpDir !== '/') s.state.ftpDir = s.state.ftpDir.replace(/[A-Za-z0-9]+\/$/, '');
    } else s.state.ftpDir += `${d}/`;
  }
}

const PASV: Handler = async (s, _arg, cmd) => {
  const host = s.server.opts.host;
  await s.data.listen(host, s.cmds.noDataConn, s.cmds.dataDelayMs ? 20_000 : 2_000, async (port) => {
    if (cmd !== 'EPSV') {
      const ip = s.cmds.pasvBadIp ? '1,2,3,4' : host.replace(/\./g, ',');
      await s.send(`227 Entering Passive Mode (${ip},${Math.floor(port / 256)},${port % 256})\r\n`);
    } else await s.send(`229 Entering Passive Mode (|||${port}|)\r\n`);
  }, () => s.gone);
};

const PORT: Handler = async (s, arg, cmd) => {
  s.data.kill();
  let host: string;
  let port: number;
  let m: RegExpExecArray | null;
  if (cmd === 'PORT') {
    if (!(m = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(arg ?? ''))) return s.send('500 silly you, go away\r\n');
    port = Number(m[5]) * 256 + Number(m[6]);
    host = `${m[1]}.${m[2]}.${m[3]}.${m[4]}`;
  } else if (cmd === 'EPRT') {
    if (!(m = /(\d+)\|([^|]+)\|(\d+)/.exec(arg ?? ''))) return s.send('500 silly you, go away\r\n');
    await s.send('200 Thanks for dropping by. We contact you later\r\n');
    port = Number(m[3]);
    host = m[2] as string;
  } else return s.send(`500 we don't like ${cmd} now\r\n`);
  if (!port || port > 65535) return;
  await s.data.connect(host, port, s.cmds.noDataConn);
};

const LIST: Handler = async (s) => {
  if (!s.data.connected) return noDataConnection(s);
  const text = (s.part('data') ?? '').replace(/\r\n/g, '\n').replace(/\n/g, '\r\n');
  await s.data.send(Buffer.from(text, 'latin1'), s.cmds.dataDelayMs);
  await s.data.close();
  await s.send('226 ASCII transfer complete\r\n');
};

const NLST: Handler = async (s) => {
  if (!s.data.connected) return noDataConnection(s);
  const names = ['file', 'with space', 'fake', '..', ' ..', 'funny', 'README'];
  await s.data.send(Buffer.from(names.map((n) => `${n}\r\n`).join(''), 'latin1'), s.cmds.dataDelayMs);
  await s.data.close();
  await s.send('226 ASCII transfer complete\r\n');
};

const RETR: Handler = async (s, arg) => {
  if (!s.data.connected) return noDataConnection(s);
  const { file, part } = testAndPart((arg ?? '').replace(/^[^0-9]*/, ''));
  s.loadTest(file);
  const data = s.part(`data${part}`) ?? '';
  const sendZero = s.dataAttr(`data${part}`, 'sendzero');
  if (!data.length && !sendZero) return s.send(`550 ${file}: No such file or directory.\r\n`);
  let size = data.length;
  if (s.server.rest) {
    size -= s.server.rest;
    s.server.rest = 0;
  }
  if (s.cmds.retrWeirdo) {
    await s.send(`150 Binary data connection for ${file} () (${size} bytes).\r\n226 File transfer complete\r\n`);
    await s.data.send(Buffer.from(data, 'latin1'), s.cmds.dataDelayMs);
    await s.data.close();
    s.cmds.retrWeirdo = false;
    return;
  }
  const sz = s.cmds.retrNoSize ? 'size?' : s.cmds.retrSize > 0 ? `(${s.cmds.retrSize} bytes)` : `(${size} bytes)`;
  await s.send(`150 Binary data connection for ${file} (${part}) ${sz}.\r\n`);
  await s.data.send(Buffer.from(data, 'latin1'), s.cmds.dataDelayMs);
  await s.data.close();
  await s.send('226 File transfer complete\r\n');
};

const STOR: Handler = async (s, arg) => {
  if (!s.data.connected) return noDataConnection(s);
  await s.send('125 Gimme gimme gimme!\r\n');
  const logDir = s.server.opts.logDir;
  const file = path.resolve(logDir, `upload.${arg ?? ''}`);
  // the script writes where the name says; the runner keeps it inside the log dir
  let writable = path.dirname(file) === logDir;
  if (writable) {
    try {
      writeFileSync(file, '');
    } catch {
      writable = false;
    }
  }
  let total = 0;
  for (let chunk = await s.data.read(); chunk; chunk = await s.data.read()) {
    total += chunk.length;
    if (writable && !s.cmds.noSave) appendFileSync(file, chunk);
    if (s.cmds.storeResp) break;
  }
  if (writable && s.cmds.noSave) appendFileSync(file, `${total} bytes would have been stored here\n`);
  await s.data.close();
  await s.send(s.cmds.storeResp ? `${s.cmds.storeResp}\r\n` : '226 File transfer complete\r\n');
};

const SIZE: Handler = async (s, arg) => {
  const m = /(\d+)\/?$/.exec(arg ?? '');
  // no number: the script answers nothing at all
  if (!m) return;
  const { file, part } = testAndPart(m[1] as string);
  s.loadTest(file);
  // perl's truth: a first line "0\n" is true (and says 0), only an empty part is false
  const sizeLine = s.firstLine('size', true);
  if (sizeLine && sizeLine !== '0') {
    const size = perlNumber(sizeLine);
    return s.send(size > -1 ? `213 ${size}\r\n` : `550 ${file}: No such file or directory.\r\n`);
  }
  const size = (s.part(`data${part}`) ?? '').length;
  await s.send(size ? `213 ${size}\r\n` : `550 ${file}: No such file or directory.\r\n`);
};

const MDTM: Handler = async (s, arg) => {
  const { file } = testAndPart(arg ?? '');
  s.loadTest(file);
  const reply = s.firstLine('mdtm');
  if (reply && /^[+-]?\d+$/.test(reply) && Number(reply) < 0) return s.send(`550 ${file}: no such file.\r\n`);
  if (reply && reply !== '0') return s.send(`${reply}\r\n`);
  await s.send('500 MDTM: no such command.\r\n');
};

export const FTP_PROTOCOL: PingPongProtocol = {
  name: 'ftp',
  welcome: WELCOME,
  displayText: DISPLAY,
  handlers: {
    PORT, EPRT: PORT, LIST, NLST, PASV, EPSV: PASV, RETR, SIZE, STOR, APPE: STOR, MDTM,
    CWD: async (s, arg) => changeDirectory(s, arg ?? ''),
    PWD: async (s) => {
      let dir = s.state.ftpDir || '/';
      if (dir !== '/') dir = dir.replace(/\/$/, '');
      await s.send(`257 "${dir}" is current directory\r\n`);
    },
    REST: async (s, arg) => {
      s.server.rest = perlNumber(arg ?? '');
    },
  },
  parse(full) {
    const m = /^([A-Za-z]{3,4})(\s(.*))?$/.exec(full);
    return m ? { cmd: m[1] as string, arg: m[3] } : '500 Unrecognized command\r\n';
  },
  notHandled: (cmd) => `500 ${cmd} is not dealt with!\r\n`,
};
