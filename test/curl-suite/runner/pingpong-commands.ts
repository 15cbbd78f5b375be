// What curl's scripted FTP/IMAP/POP3/SMTP server (tests/ftpserver.pl) reads
// from a test's <servercmd> when a client connects (its customize()): custom
// replies, per-command delays and the FTP oddities FILEFORMAT.md lists. The
// keywords are matched anywhere in a line, in the script's order, so a line
// is taken by the first rule that fits (REPLY before everything else,
// SLOWDOWNDATA before SLOWDOWN, NODATACONN425 before NODATACONN).

import type { TestFile } from './test-file.js';

export interface PingPongCommands {
  /** SLOWDOWN: milliseconds between the bytes of every control reply. */
  ctrlDelayMs: number;
  /** SLOWDOWN / SLOWDOWNDATA: milliseconds between the bytes sent on an FTP data connection. */
  dataDelayMs: number;
  retrWeirdo: boolean;
  retrNoSize: boolean;
  /** RETRSIZE N: the size the 150 reply claims (0: the real one). */
  retrSize: number;
  pasvBadIp: boolean;
  noSave: boolean;
  /** NODATACONN*: PASV gives a port nobody listens on, PORT/EPRT never connects. */
  noDataConn: boolean;
  noDataConn425: boolean;
  noDataConn421: boolean;
  noDataConn150: boolean;
  /** `STOR msg`: the final reply to an upload, which stops after the first chunk. */
  storeResp: string;
  /** POSTFETCH: what an IMAP FETCH puts before its closing parenthesis. */
  postFetch: string;
  capabilities: string[];
  authMechs: string[];
  /** `REPLY "CMD ARG" text`: a reply (CRLF added when sent) for one exact command line. */
  fullTextReply: Map<string, string>;
  /** `REPLY CMD text` / `REPLYLF CMD text`: the reply (line end included) for a command word. */
  commandReply: Map<string, string>;
  /** `COUNT CMD N`: the REPLY for CMD is used N times, then the built-in reply again. */
  customCount: Map<string, number>;
  /** `DELAY CMD N`: seconds to wait before answering CMD. */
  delaySeconds: Map<string, number>;
}

/**
 * The script evaluates each REPLY text as a perl double-quoted string
 * (`eval "qq{...}"`): backslash escapes become bytes. No case uses perl
 * variables in a reply, so `$` and `@` stay as they are.
 */
export function perlQuoted(s: string): string {
  const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', f: '\f', b: '\b', a: '\x07', e: '\x1b' };
  return s.replace(/\\(x\{([0-9a-fA-F]*)\}|x([0-9a-fA-F]{0,2})|([0-7]{1,3})|c(.)|(.))/gs,
    (_m, _all, braced?: string, hex?: string, oct?: string, ctl?: string, other?: string) => {
      if (braced !== undefined) return String.fromCharCode(parseInt(braced || '0', 16) & 0xff);
      if (hex !== undefined) return String.fromCharCode(parseInt(hex || '0', 16));
      if (oct !== undefined) return String.fromCharCode(parseInt(oct, 8) & 0xff);
      if (ctl !== undefined) return String.fromCharCode(ctl.toUpperCase().charCodeAt(0) ^ 64);
      return simple[other ?? ''] ?? other ?? '';
    });
}

/** Perl's numeric value of a string: its leading number, else 0. */
export function perlNumber(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

/** Perl's split: trailing empty fields are dropped. */
function perlSplit(s: string, re: RegExp): string[] {
  const out = s.split(re);
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

/** CAPA's list: words split on spaces that are not inside double quotes, then unquoted. */
function capabilityList(s: string): string[] {
  return perlSplit(s, / (?!(?:[^" ]|[^"] [^"])+")/).map((c) => /^"(.*)"$/s.exec(c)?.[1] ?? c);
}

export function parsePingPongCommands(test: TestFile | undefined): PingPongCommands {
  const c: PingPongCommands = {
    ctrlDelayMs: 0, dataDelayMs: 0, retrWeirdo: false, retrNoSize: false, retrSize: 0, pasvBadIp: false,
    noSave: false, noDataConn: false, noDataConn425: false, noDataConn421: false, noDataConn150: false,
    storeResp: '', postFetch: '', capabilities: [], authMechs: [],
    fullTextReply: new Map(), commandReply: new Map(), customCount: new Map(), delaySeconds: new Map(),
  };
  const lines = test?.getPart('reply', 'servercmd')?.lines ?? [];
  for (const raw of lines) {
    const line = raw.replace(/\n$/, '');
    let m: RegExpExecArray | null;
    if ((m = /REPLY "([A-Z]+ [A-Za-z0-9+-/=*. ]+)" (.*)/.exec(line))) {
      c.fullTextReply.set(m[1] as string, perlQuoted(m[2] as string));
    } else if ((m = /REPLY(LF|) ([A-Za-z0-9+/=*]*) (.*)/.exec(line))) {
      c.commandReply.set(m[2] as string, perlQuoted(m[3] as string) + (m[1] === 'LF' ? '\n' : '\r\n'));
    } else if ((m = /COUNT ([A-Z]+) (.*)/.exec(line))) {
      c.customCount.set(m[1] as string, perlNumber(m[2] as string));
    } else if ((m = /DELAY ([A-Z]+) (\d*)/.exec(line))) {
      c.delaySeconds.set(m[1] as string, Number(m[2] || 0));
    } else if ((m = /POSTFETCH (.*)/.exec(line))) {
      c.postFetch = m[1] as string;
    } else if (/SLOWDOWNDATA/.test(line)) {
      c.ctrlDelayMs = 0;
      c.dataDelayMs = 5;
    } else if (/SLOWDOWN/.test(line)) {
      c.ctrlDelayMs = 5;
      c.dataDelayMs = 5;
    } else if (/RETRWEIRDO/.test(line)) c.retrWeirdo = true;
    else if (/RETRNOSIZE/.test(line)) c.retrNoSize = true;
    else if ((m = /RETRSIZE (\d+)/.exec(line))) c.retrSize = Number(m[1]);
    else if (/PASVBADIP/.test(line)) c.pasvBadIp = true;
    else if (/NODATACONN425/.test(line)) c.noDataConn425 = c.noDataConn = true;
    else if (/NODATACONN421/.test(line)) c.noDataConn421 = c.noDataConn = true;
    else if (/NODATACONN150/.test(line)) c.noDataConn150 = c.noDataConn = true;
    else if (/NODATACONN/.test(line)) c.noDataConn = true;
    else if ((m = /^STOR (.*)/.exec(line))) c.storeResp = m[1] as string;
    else if ((m = /CAPA (.*)/.exec(line))) c.capabilities = capabilityList(m[1] as string);
    else if ((m = /AUTH (.*)/.exec(line))) c.authMechs = perlSplit(m[1] as string, / /);
    else if (/NOSAVE/.test(line)) c.noSave = true;
  }
  return c;
}
