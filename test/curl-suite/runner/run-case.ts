// Runs one curl test case the way runtests.pl / singletest.pl does:
//  1. start per-case servers (http on 127.0.0.1 and ::1, https, http-proxy) on
//     ephemeral ports, so cases never share state and can run in parallel;
//  2. preprocess the file with those ports, decide SKIP (servers, features,
//     precheck), write the <file> inputs into a fresh %LOGDIR;
//  3. run `CLIENT -q --output log/curlN.out --include --trace-ascii
//     log/traceN --trace-time <command>` through /bin/sh in the case dir,
//     stdout/stderr to log/stdoutN / log/stderrN, as runtests builds it;
//  4. verify stdout, stderr, protocol, proxy, data, files, exit code,
//     notexists and postcheck, in runtests' order and with its rules.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ClientInfo } from './client-info.js';
import { preprocess, type PreprocessContext } from './preprocess.js';
import { FTP_PROTOCOL } from './ftp-commands.js';
import { IMAP_PROTOCOL } from './imap-commands.js';
import { PingPongServer, type PingPongProtocol } from './pingpong-server.js';
import { POP3_PROTOCOL, SMTP_PROTOCOL } from './pop3-smtp-commands.js';
import { SwsServer } from './sws-server.js';
import { TftpServer } from './tftp-server.js';
import { MqttServer } from './mqtt-server.js';
import { GopherServer } from './gopher-server.js';
import { dictServer, telnetServer } from './dict-telnet.js';
// curl's socksd connects where the client asks; this one connects to 127.0.0.1 at the port asked for,
// which is where every case's servers are
import { startSocksServer, type SocksServer } from '../../helpers/socks-server.js';
import { applyLineOps, splitLines, stripLines } from './strip.js';
import { partContent, TestFile } from './test-file.js';
import { expectStderrFrom } from './tool-name.js';
import { freePort } from '../../helpers/ports.js';
import type { SuiteCert } from './tls-cert.js';

export type Verdict = 'PASS' | 'FAIL' | 'SKIP';

/**
 * Why a case was skipped: the client under test lacks (or has) a feature
 * the case depends on, the runner cannot provide what the case needs (a
 * server, an include file, a libtest tool), or the machine cannot (precheck,
 * IPv6, a TLS certificate).
 */
export type SkipKind = 'client' | 'runner' | 'machine';

export interface CaseResult {
  readonly num: number;
  readonly verdict: Verdict;
  readonly reason: string;
  /** Set on SKIP. */
  readonly skipKind?: SkipKind;
  /** Human-readable detail (diff) for failures. */
  readonly detail?: string;
}

function skip(num: number, skipKind: SkipKind, reason: string): CaseResult {
  return { num, verdict: 'SKIP', reason, skipKind };
}

export interface RunOptions {
  readonly dataDir: string;
  readonly client: ClientInfo;
  readonly timeoutMs: number;
  readonly tls?: SuiteCert | undefined;
  readonly ipv6: boolean;
  /** Keep the case directory (for debugging). */
  readonly keep?: boolean;
}

// "file": the case uses file:// URLs only, no server to start (as runtests.pl)
const SUPPORTED_SERVERS = new Set([
  'http', 'http-ipv6', 'http-proxy', 'https', 'file', 'ftp', 'ftp-ipv6', 'ftps', 'imap', 'pop3', 'smtp', 'tftp', 'mqtt',
  'gopher', 'gopher-ipv6', 'gophers', 'dict', 'telnet', 'socks4', 'socks5',
]);
/** Servers that need the TLS certificate, and those that need ::1. */
const TLS_SERVERS = new Set(['https', 'ftps', 'gophers']);
const IPV6_SERVERS = new Set(['http-ipv6', 'ftp-ipv6', 'gopher-ipv6']);

function readBin(file: string): string | undefined {
  try {
    return readFileSync(file).toString('latin1');
  } catch {
    return undefined;
  }
}

/** A small line diff: expected vs actual with the first difference marked. */
export function describeDiff(what: string, expected: string, actual: string): string {
  const e = splitLines(expected);
  const a = splitLines(actual);
  let i = 0;
  while (i < e.length && i < a.length && e[i] === a[i]) i++;
  const show = (ls: string[]): string =>
    ls.slice(Math.max(0, i - 2), i + 6).map((l, k) => `   ${k + Math.max(0, i - 2) === i ? '>' : ' '} ${JSON.stringify(l)}`).join('\n');
  return `${what} differs at line ${i + 1} (expected ${e.length} lines, got ${a.length}):\n  expected:\n${show(e)}\n  actual:\n${show(a)}`;
}

function hasFeatureFn(client: ClientInfo): (f: string) => boolean {
  return (f) => client.features.has(f) || client.features.has(f.toLowerCase());
}

export async function runCase(num: number, opts: RunOptions): Promise<CaseResult> {
  const file = path.join(opts.dataDir, `test${num}`);
  const raw = readBin(file);
  if (raw === undefined) return skip(num, 'runner', 'no such test file');

  const caseDir = mkdtempSync(path.join(os.tmpdir(), `curl-suite-${num}-`));
  const logDir = path.join(caseDir, 'log');
  mkdirSync(logDir);
  let test: TestFile | undefined;
  const http = new SwsServer({ logFile: path.join(logDir, 'server.input'), testNumber: num, test: () => test });
  const proxy = new SwsServer({ logFile: path.join(logDir, 'proxy.input'), testNumber: num, test: () => test, isProxy: true });
  // ftpserver.pl instances: one on 127.0.0.1 (ftps is it behind TLS, as stunnel), one on ::1
  const pingpong = (protocol: PingPongProtocol, host: string): PingPongServer =>
    new PingPongServer({ protocol, host, logFile: path.join(logDir, 'server.input'), logDir, testNumber: num, test: () => test });
  const ftp = pingpong(FTP_PROTOCOL, '127.0.0.1');
  const ftp6 = pingpong(FTP_PROTOCOL, '::1');
  const imap = pingpong(IMAP_PROTOCOL, '127.0.0.1');
  const pop3 = pingpong(POP3_PROTOCOL, '127.0.0.1');
  const smtp = pingpong(SMTP_PROTOCOL, '127.0.0.1');
  const tftp = new TftpServer({ logFile: path.join(logDir, 'server.input'), logDir, testNumber: num, test: () => test });
  const mqtt = new MqttServer({ logFile: path.join(logDir, 'server.input'), test: () => test });
  const gopher = new GopherServer({ logFile: path.join(logDir, 'server.input'), testNumber: num, test: () => test });
  const dict = dictServer();
  const telnet = telnetServer();
  const servers = [http, proxy, ftp, ftp6, imap, pop3, smtp, tftp, mqtt, gopher, dict, telnet];
  let socks: SocksServer | undefined;
  try {
    const httpPort = await http.listen('127.0.0.1');
    const http6Port = opts.ipv6 ? await http.listen('::1') : await freePort();
    const httpsPort = opts.tls ? await http.listen('127.0.0.1', opts.tls) : await freePort();
    const proxyPort = await proxy.listen('127.0.0.1');
    const ftpPort = await ftp.listen('127.0.0.1');
    const ftp6Port = opts.ipv6 ? await ftp6.listen('::1') : await freePort();
    const ftpsPort = opts.tls ? await ftp.listen('127.0.0.1', opts.tls) : await freePort();
    const imapPort = await imap.listen('127.0.0.1');
    const pop3Port = await pop3.listen('127.0.0.1');
    const smtpPort = await smtp.listen('127.0.0.1');
    const tftpPort = await tftp.listen('127.0.0.1');
    const mqttPort = await mqtt.listen('127.0.0.1');
    const gopherPort = await gopher.listen('127.0.0.1');
    const gopher6Port = opts.ipv6 ? await gopher.listen('::1') : await freePort();
    const gophersPort = opts.tls ? await gopher.listen('127.0.0.1', opts.tls) : await freePort();
    const dictPort = await dict.listen('127.0.0.1');
    const telnetPort = await telnet.listen('127.0.0.1');
    socks = await startSocksServer();
    const noListenPort = await freePort();
    const user = os.userInfo().username;
    const vars: Record<string, string> = {
      HOSTIP: '127.0.0.1', CLIENTIP: '127.0.0.1', HOST6IP: '[::1]', CLIENT6IP: '[::1]', 'CLIENT6IP-NB': '::1',
      HTTPPORT: String(httpPort), HTTP6PORT: String(http6Port), HTTPSPORT: String(httpsPort),
      PROXYPORT: String(proxyPort), NOLISTENPORT: String(noListenPort),
      FTPPORT: String(ftpPort), FTP6PORT: String(ftp6Port), FTPSPORT: String(ftpsPort),
      IMAPPORT: String(imapPort), POP3PORT: String(pop3Port), SMTPPORT: String(smtpPort), TFTPPORT: String(tftpPort),
      MQTTPORT: String(mqttPort), GOPHERPORT: String(gopherPort), GOPHER6PORT: String(gopher6Port),
      GOPHERSPORT: String(gophersPort), DICTPORT: String(dictPort), TELNETPORT: String(telnetPort),
      SOCKSPORT: String(socks.port),
      // runtests: twice the time the FTP server took to answer its check, at least 2 s
      FTPTIME2: '2',
      TESTNUMBER: String(num), LOGDIR: 'log', PWD: caseDir, FILE_PWD: caseDir,
      SRCDIR: path.dirname(opts.dataDir), CERTDIR: opts.tls?.certDir ?? path.dirname(opts.dataDir),
      VERSION: opts.client.version, VERNUM: opts.client.version.replace(/-DEV$/, ''),
      USER: user, CURL: opts.client.command, PERL: 'perl', DEV_NULL: '/dev/null',
      DATE: new Date().toISOString().slice(0, 10), H2CVER: 'h2c',
    };
    const ctx: PreprocessContext = {
      vars, clientName: opts.client.name, clientVersion: opts.client.version,
      hasFeature: hasFeatureFn(opts.client),
    };
    const pre = preprocess(raw, ctx);
    test = new TestFile(pre.lines);
    if (pre.missingInclude !== undefined) return skip(num, 'runner', `include file ${pre.missingInclude} not available`);

    // ---- skip decisions, as runtests makes them
    for (const s of test.getList('client', 'server')) {
      const name = s.split(/\s+/)[0] ?? '';
      // runtests: a server whose protocol the client does not list is a skip ("curl lacks ftp support")
      const proto = name.replace(/-ipv6$/, '');
      if (proto !== 'http-proxy' && proto !== 'none' && !proto.startsWith('socks') && !opts.client.features.has(proto)) {
        return skip(num, 'client', `${opts.client.name} lacks ${proto} support`);
      }
      if (!SUPPORTED_SERVERS.has(name)) return skip(num, 'runner', `server ${name} not supported`);
      if (TLS_SERVERS.has(name) && !opts.tls) return skip(num, 'machine', 'no TLS certificate (openssl missing)');
      if (IPV6_SERVERS.has(name) && !opts.ipv6) return skip(num, 'machine', 'no IPv6 loopback');
    }
    const has = hasFeatureFn(opts.client);
    for (const f of test.getList('client', 'features')) {
      const neg = f.startsWith('!');
      const name = neg ? f.slice(1) : f;
      if (neg === has(name)) return skip(num, 'client', neg ? `feature ${name} present` : `missing feature ${name}`);
    }
    if (test.has('client', 'tool')) return skip(num, 'runner', 'needs a libtest tool');
    const cmdPart = test.getPart('client', 'command');
    if (!cmdPart) return skip(num, 'runner', 'no command');
    const cmdType = cmdPart.attrs['type'];
    if (cmdType && cmdType !== 'default') return skip(num, 'runner', `command type ${cmdType}`);

    const env: NodeJS.ProcessEnv = { ...process.env, HOME: caseDir, CURL_HOME: caseDir, XDG_CONFIG_HOME: caseDir, COLUMNS: '79' };
    for (const k of Object.keys(env)) {
      if (/_proxy$/i.test(k) || /^(CURL_CA_BUNDLE|SSL_CERT_DIR|SSL_CERT_FILE|SSLKEYLOGFILE|CURL_SSLKEYLOGFILE)$/.test(k)) delete env[k];
    }
    for (const line of test.getList('client', 'setenv')) {
      const eq = line.indexOf('=');
      if (eq < 0) delete env[line];
      else env[line.slice(0, eq)] = line.slice(eq + 1);
    }

    const pre_check = test.getPart('client', 'precheck');
    if (pre_check) {
      const r = spawnSync('/bin/sh', ['-c', pre_check.lines.join('').replace(/\n/g, ' ')], { cwd: caseDir, env, timeout: opts.timeoutMs, encoding: 'latin1' });
      const msg = `${r.stdout ?? ''}`.trim();
      if (r.status !== 0 || msg) return skip(num, 'machine', `precheck: ${msg || `exit ${r.status}`}`);
    }

    // ---- input files
    for (const part of ['file', 'file1', 'file2', 'file3', 'file4']) for (const p of test.getParts('client', part)) {
      const name = p.attrs['name'];
      // runtests refuses a file with content but no name to write it to
      if (!name) {
        if (p.lines.length) return { num, verdict: 'FAIL', reason: `client <${part}> has no name attribute` };
        continue;
      }
      const target = path.resolve(caseDir, name);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, Buffer.from(partContent(p), 'latin1'));
    }
    const stdinPart = test.getPart('client', 'stdin');
    const stdinFile = path.join(logDir, `stdin-for-${num}`);
    if (stdinPart) writeFileSync(stdinFile, Buffer.from(partContent(stdinPart), 'latin1'));

    // ---- the command line, with runtests' additions in its order
    const option = cmdPart.attrs['option'] ?? '';
    const cmd = cmdPart.lines.map((l) => l.replace(/\r?\n$/, '')).join(' ').trim();
    const curlOut = `log/curl${num}.out`;
    let args = '';
    if (!/no-q/.test(option)) args += ' -q';
    if (!/no-output/.test(option) && (!test.has('verify', 'stdout') || /force-output/.test(option))) args += ` --output ${curlOut}`;
    if (!/no-include/.test(option)) args += ' --include';
    args += /binary-trace/.test(option) ? ` --trace log/trace${num}` : ` --trace-ascii log/trace${num}`;
    args += ' --trace-time';
    const shellCmd = `${opts.client.command}${args} ${cmd} > log/stdout${num} 2> log/stderr${num}` + (stdinPart ? ` < log/stdin-for-${num}` : '');
    writeFileSync(path.join(logDir, 'commands.log'), shellCmd + '\n');

    const exit = await runShell(shellCmd, caseDir, env, opts.timeoutMs);
    // Let the servers notice the closed connections (connection-monitor logs that).
    const open = (): number => servers.reduce((n, srv) => n + srv.openConnections, 0);
    for (let i = 0; i < 50 && open() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    if (exit.timedOut) return { num, verdict: 'FAIL', reason: `timed out after ${opts.timeoutMs} ms` };
    // <command delay="secs">: runtests waits before it verifies (bounded)
    const delaySecs = Number(cmdPart.attrs['delay'] ?? 0);
    if (delaySecs > 0) await new Promise((r) => setTimeout(r, Math.min(delaySecs, 60) * 1000));

    return verify(num, test, caseDir, exit.code, opts.client.name);
  } catch (err) {
    return { num, verdict: 'FAIL', reason: `runner error: ${(err as Error).message}` };
  } finally {
    for (const srv of servers) await srv.close();
    await socks?.close();
    if (!opts.keep) rmSync(caseDir, { recursive: true, force: true });
  }
}

function runShell(cmd: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number; timedOut: boolean }> {
  return new Promise((resolve) => {
    // Without <stdin> the client gets a pipe that stays open and silent, like
    // runtests' inherited stdin: reading it blocks rather than seeing EOF.
    const child = spawn('/bin/sh', ['-c', cmd], { cwd, env, stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    child.stdin?.on('error', () => {});
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // The shell and the client share a process group we created.
      try { if (child.pid) process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      child.stdin?.destroy();
      resolve({ code: code ?? (signal ? 128 : -1), timedOut });
    });
    child.on('error', () => {
      clearTimeout(timer);
      resolve({ code: -1, timedOut });
    });
  });
}

/**
 * runtests reads the first line of <errorcode> only: one number, or several
 * separated by commas; no part (or an empty first line) means 0.
 */
export function expectedExitCodes(test: TestFile): number[] {
  const first = (test.getPart('verify', 'errorcode')?.lines[0] ?? '').trim();
  if (!first) return [0];
  return first.split(',').map((c) => Number(c.trim()));
}

/**
 * runtests' mode="warn": curl wraps a warning at the terminal width, each
 * line starting with "Warning: " and the break after a space, so the text is
 * compared with that prefix and the line ends taken out, nothing else.
 */
export function unwrapWarnings(text: string): string {
  return splitLines(text).map((l) => l.replace(/^Warning: /, '').replace(/\r?\n$/, '')).join('');
}

function verify(num: number, test: TestFile, caseDir: string, exitCode: number, toolName: string): CaseResult {
  const fail = (reason: string, detail?: string): CaseResult =>
    detail === undefined ? { num, verdict: 'FAIL', reason } : { num, verdict: 'FAIL', reason, detail };
  const logDir = path.join(caseDir, 'log');
  const stripfile = test.getPart('verify', 'stripfile')?.lines ?? [];

  // stdout
  const stdoutPart = test.getPart('verify', 'stdout');
  if (stdoutPart) {
    if (stdoutPart.attrs['loadfile']) return { num, verdict: 'SKIP', reason: 'stdout loadfile not supported' };
    const actual = applyLineOps(splitLines(readBin(path.join(logDir, `stdout${num}`)) ?? ''), stripfile, true).join('');
    let expected = partContent(stdoutPart);
    if (expected.replace(/\r?\n$/, '') === '%EMPTY') expected = '';
    if (actual !== expected) return fail('stdout', describeDiff('stdout', expected, actual));
  }

  // stderr
  const stderrPart = test.getPart('verify', 'stderr');
  if (stderrPart) {
    const actual = readBin(path.join(logDir, `stderr${num}`)) ?? '';
    const expected = expectStderrFrom(partContent(stderrPart), toolName);
    if (stderrPart.attrs['mode'] === 'warn') {
      const a = unwrapWarnings(actual);
      const e = unwrapWarnings(expected);
      if (a !== e) return fail('stderr', describeDiff('stderr (warnings unwrapped)', e, a));
    } else if (actual !== expected) return fail('stderr', describeDiff('stderr', expected, actual));
  }

  const strip = (test.getPart('verify', 'strip')?.lines ?? []).map((l) => l.replace(/\r?\n$/, '')).filter((l) => l.length);
  const strippart = test.getPart('verify', 'strippart')?.lines ?? [];

  // protocol (server.input) and proxy (proxy.input)
  for (const [part, logName] of [['protocol', 'server.input'], ['proxy', 'proxy.input']] as const) {
    const p = test.getPart('verify', part);
    if (!p) continue;
    let expectedLines = splitLines(partContent(p));
    let actualLines = splitLines(readBin(path.join(logDir, logName)) ?? '');
    actualLines = stripLines(actualLines, strip);
    expectedLines = stripLines(expectedLines, strip);
    actualLines = applyLineOps(actualLines, strippart, false);
    const expected = expectedLines.join('');
    const actual = actualLines.join('');
    if (!actual && expected) return fail(part, `no ${part} data at all in ${logName} (exit code ${exitCode})`);
    if (actual !== expected) return fail(part, describeDiff(part, expected, actual));
  }

  // downloaded data vs <reply><data> / <datacheck>
  const dataPart = test.getPart('reply', 'data');
  let expectedData: string | undefined;
  if (test.has('reply', 'datacheck')) {
    expectedData = '';
    for (const sfx of ['', '1', '2', '3', '4']) {
      const p = test.getPart('reply', `datacheck${sfx}`);
      if (p) expectedData += partContent(p);
    }
  } else if (dataPart) {
    expectedData = partContent(dataPart);
  }
  const nocheck = dataPart?.attrs['nocheck'] === 'yes';
  if (!nocheck && expectedData !== undefined && (expectedData.length > 0 || dataPart?.attrs['sendzero'])) {
    const actual = readBin(path.join(logDir, `curl${num}.out`)) ?? '';
    if (actual !== expectedData) return fail('data', describeDiff('data', expectedData, actual));
  }

  // what an FTP/IMAP/SMTP upload stored (log/upload.N)
  const uploadPart = test.getPart('verify', 'upload');
  if (uploadPart) {
    const expected = partContent(uploadPart);
    // <strippart> applies to the stored upload as to the protocol dump (boundaries, dates)
    const actual = applyLineOps(splitLines(readBin(path.join(logDir, `upload.${num}`)) ?? ''), strippart, false).join('');
    if (actual !== expected) return fail('upload', describeDiff('upload', expected, actual));
  }

  // files
  for (const sfx of ['', '1', '2', '3', '4']) {
    const p = test.getPart('verify', `file${sfx}`);
    if (!p) continue;
    const name = p.attrs['name'];
    // runtests: a file to verify must say which file
    if (!name) return fail(`file${sfx}`, `verify <file${sfx}> has no name attribute`);
    const ops = test.getPart('verify', `stripfile${sfx}`)?.lines ?? [];
    // runtests' loadarray(): a file that does not exist reads as empty, so an empty <file> part
    // verifies that the client removed (or never made) it (cases 376, 379: --remove-on-error)
    const content = readBin(path.resolve(caseDir, name)) ?? '';
    const actual = applyLineOps(splitLines(content), ops, true).join('');
    // A file that is the client's own stderr (log/stderrN) names the tool too.
    const isStderr = path.resolve(caseDir, name) === path.join(logDir, `stderr${num}`);
    const expected = isStderr ? expectStderrFrom(partContent(p), toolName) : partContent(p);
    if (actual !== expected) return fail(`file ${name}`, describeDiff(`file ${name}`, expected, actual));
  }

  // exit code
  const codes = expectedExitCodes(test);
  if (!codes.includes(exitCode)) return fail('errorcode', `exit code ${exitCode}, expected ${codes.join(' or ')}`);

  for (const entry of test.getList('verify', 'notexists')) {
    if (existsSync(path.resolve(caseDir, entry))) return fail('notexists', `${entry} exists`);
  }

  const post = test.getPart('verify', 'postcheck');
  if (post) {
    const r = spawnSync('/bin/sh', ['-c', post.lines.join('').replace(/\n/g, ' ')], { cwd: caseDir, timeout: 20_000, encoding: 'latin1' });
    if (r.status !== 0) return fail('postcheck', `postcheck exited ${r.status}: ${`${r.stdout ?? ''}${r.stderr ?? ''}`.trim()}`);
  }
  return { num, verdict: 'PASS', reason: '' };
}
