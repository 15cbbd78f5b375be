// The pure parts of the sws emulation: what the server reads from a test's
// <servercmd> and <postcmd>, where a request ends, and which test and part a
// request asks for. Each follows curl's tests/server/sws.c
// (shared/reference/curl-test-servers/sws.c); sws-server.ts does the sockets.

import type { TestFile } from './test-file.js';

export interface ServerCommands {
  authRequired: boolean;
  idle: boolean;
  stream: boolean;
  /** `delay: N`: milliseconds to wait after accepting a connection. */
  delayMs: number;
  /** `writedelay: N`: milliseconds to wait after each piece of a reply. */
  writeDelayMs: number;
  skip: number;
  connectionMonitor: boolean;
  swsclose: boolean;
  noExpect: boolean;
}

export function parseServerCommands(test: TestFile | undefined): ServerCommands {
  const cmds: ServerCommands = {
    authRequired: false, idle: false, stream: false, delayMs: 0, writeDelayMs: 0, skip: 0,
    connectionMonitor: false, swsclose: false, noExpect: false,
  };
  for (const line of test?.getList('reply', 'servercmd') ?? []) {
    let m: RegExpExecArray | null;
    // sws compares keywords as prefixes (strncmp) and numbers with sscanf
    if (line.startsWith('auth_required')) cmds.authRequired = true;
    else if (line.startsWith('idle')) cmds.idle = true;
    else if (line.startsWith('stream')) cmds.stream = true;
    else if (line.startsWith('connection-monitor')) cmds.connectionMonitor = true;
    else if (line.startsWith('swsclose')) cmds.swsclose = true;
    else if ((m = /^skip:\s*(-?\d+)/.exec(line))) cmds.skip = Number(m[1]);
    else if (line.startsWith('no-expect')) cmds.noExpect = true;
    else if ((m = /^delay:\s*(-?\d+)/.exec(line))) cmds.delayMs = Math.max(0, Number(m[1]));
    else if ((m = /^writedelay:\s*(-?\d+)/.exec(line))) cmds.writeDelayMs = Math.max(0, Number(m[1]));
  }
  return cmds;
}

/** <postcmd>: what sws does after a reply is sent. Only `wait N` (seconds) exists for HTTP. */
export function postCommandWaitSeconds(test: TestFile | undefined): number {
  let secs = 0;
  for (const line of test?.getList('reply', 'postcmd') ?? []) {
    const m = /^(\S+)\s+(-?\d+)/.exec(line);
    if (m && m[1] === 'wait') secs += Math.max(0, Number(m[2]));
  }
  return secs;
}

/** Finds the end of a chunked body starting at `start`; -1 when incomplete. */
function chunkedEnd(buf: Buffer, start: number): number {
  let pos = start;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const eol = buf.indexOf('\r\n', pos, 'latin1');
    if (eol < 0) return -1;
    const size = parseInt(buf.toString('latin1', pos, eol).split(';')[0]?.trim() || 'x', 16);
    if (Number.isNaN(size)) return -1;
    if (size === 0) {
      // Trailers end with an empty line.
      let tpos = eol + 2;
      for (;;) {
        const teol = buf.indexOf('\r\n', tpos, 'latin1');
        if (teol < 0) return -1;
        if (teol === tpos) return teol + 2;
        tpos = teol + 2;
      }
    }
    pos = eol + 2 + size + 2;
    if (pos > buf.length) return -1;
  }
  return -1;
}

/**
 * Length of the first complete request in `buf`, or undefined while it is
 * incomplete. Headers end only at CRLF CRLF, as in sws: a request whose
 * headers end with bare LFs never completes (and gets logged as a partial
 * request when the client gives up).
 */
export function requestLength(buf: Buffer, cmds: ServerCommands): number | undefined {
  const hdrEnd = buf.indexOf('\r\n\r\n', 0, 'latin1');
  if (hdrEnd < 0) return undefined;
  const bodyStart = hdrEnd + 4;
  const head = buf.toString('latin1', 0, bodyStart);

  // auth_required: done after the headers when no Authorization: came
  if (cmds.authRequired && !head.includes('Authorization:')) return bodyStart;

  let cl = 0;
  let chunked = false;
  let expect = false;
  for (const line of head.split('\n')) {
    const mcl = /^Content-Length:[ \t]*(\d+)/i.exec(line);
    if (mcl && cl === 0) cl = Math.max(0, Number(mcl[1]) - cmds.skip);
    else if (/^Transfer-Encoding: chunked/i.test(line)) chunked = true;
    else if (/^Expect: 100-continue/i.test(line)) expect = true;
  }
  if (cmds.noExpect && expect) cl = 0;
  if (chunked) {
    const end = chunkedEnd(buf, bodyStart);
    return end < 0 ? undefined : end;
  }
  if (buf.length - bodyStart < cl) return undefined;
  return bodyStart + cl;
}

/** What a request asks for, before the auth adjustments of the part number. */
export type RequestTarget =
  /** A reply part of test `test` (which may not be the running one). */
  | { kind: 'test'; test: number; part: number; connect: boolean }
  /** No test number anywhere: sws answers with its built-in 404 page. */
  | { kind: '404'; connect: boolean };

/**
 * sws_ProcessRequest's choice of test and part: the number after the last
 * '/' of the request target (above 10000 it is test * 10000 + part); a
 * CONNECT to an IPv6 literal takes the last hex group as the test number; a
 * target with no number means the running test (sws reads it from
 * server.cmd); a request line without "HTTP/x.y" falls back to a `Testno:`
 * header, else the 404 page.
 */
export function requestTarget(head: string, runningTest: number): RequestTarget {
  const method = /^(\S+)/.exec(head)?.[1] ?? '';
  const connect = method === 'CONNECT';
  const afterMethod = head.slice(method.length);
  const httpAt = afterMethod.indexOf('HTTP/');
  const fine = method !== '' && httpAt >= 0 && /^HTTP\/\d+\.\d+/.test(afterMethod.slice(httpAt)) && afterMethod.slice(0, httpAt).trim() !== '';
  if (!fine) {
    const testno = /\nTestno: (\d+)/.exec(head);
    if (testno) return { kind: 'test', test: Number(testno[1]), part: 0, connect };
    return { kind: '404', connect };
  }
  const target = afterMethod.slice(0, httpAt).trim();
  const slash = target.lastIndexOf('/');
  if (slash >= 0) {
    const digits = /^\d+/.exec(target.slice(slash + 1))?.[0];
    // curlx_str_number: at most INT_MAX, else no number at all
    const n = digits !== undefined && digits.length <= 10 && Number(digits) <= 0x7fffffff ? Number(digits) : 0;
    if (n > 10000) return { kind: 'test', test: Math.floor(n / 10000), part: n % 10000, connect };
    if (n > 0) return { kind: 'test', test: n, part: 0, connect };
  }
  if (connect && target.startsWith('[')) {
    // sws scans the hex groups of the address and keeps the last one
    let last = 0;
    for (const group of target.slice(1, target.indexOf(']') >>> 0).split(/[:.]/)) {
      if (/^[0-9a-fA-F]+$/.test(group) && parseInt(group, 16) <= 0xffff) last = parseInt(group, 16);
    }
    return { kind: 'test', test: last, part: 0, connect };
  }
  return { kind: 'test', test: runningTest, part: 0, connect };
}
