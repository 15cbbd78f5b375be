// libcurl's SFTP "quote" commands (CURLOPT_QUOTE / POSTQUOTE, lib/vssh/libssh2.c
// SSH_SFTP_QUOTE..): the commands OpenSSH's sftp program knows, turned into
// SFTP requests: pwd, chgrp, chmod, chown, atime, mtime, ln/symlink, mkdir,
// rename, rmdir, rm, statvfs. A leading '*' lets the command fail without
// failing the transfer. Failures are CURLE_QUOTE_ERROR with libcurl's
// messages. parseQuote() checks the syntax; runQuote() sends the requests
// and reports once, through `done`, from inside an ssh2 callback.
import { CURLE, type CURLcode } from '../../codes.js';
import { parseDate } from '../../cookies/parse-date.js';
import { quotePathname } from './ssh-path.js';
import { fxCode, fxText } from './sftp-errors.js';
import type { SftpAttrs, SftpError, SftpSession, StatvfsInfo } from './ssh2-lib.js';

export interface QuoteCommand {
  /** the command word, lowercase ("chmod", "ln", ...) */
  kind: string;
  acceptFail: boolean;
  p1: string;
  p2: string | null;
  /** the command as given, without '*' (for messages) */
  text: string;
}

export type QuoteOutcome =
  | { ok: true; header: string | null }
  | { ok: false; code: CURLcode; message: string };

const TWO_ARGS = ['chgrp', 'chmod', 'chown', 'atime', 'mtime', 'ln', 'symlink', 'rename'];
const ONE_ARG = ['mkdir', 'rmdir', 'rm', 'statvfs'];

function quoteError(message: string): { ok: false; code: CURLcode; message: string } {
  return { ok: false, code: CURLE.QUOTE_ERROR, message };
}

/** SSH_SFTP_QUOTE: what a command asks for, or its syntax error. `pwd` needs no request. */
export function parseQuote(raw: string, home: string, path: string): QuoteCommand | QuoteOutcome {
  let cmd = raw;
  let acceptFail = false;
  if (cmd.startsWith('*')) {
    cmd = cmd.slice(1);
    acceptFail = true;
  }
  if (cmd.toLowerCase() === 'pwd') return { ok: true, header: `257 "${path}" is current directory.\n` };
  const sp = cmd.indexOf(' ');
  if (sp < 0) return quoteError(`Syntax error command '${cmd}', missing parameter`);
  const first = quotePathname(cmd, sp, home);
  if (!first) return quoteError(`Syntax error: Bad first parameter to '${cmd}'`);
  const lower = cmd.toLowerCase();
  const kind = [...TWO_ARGS, ...ONE_ARG].find((k) => lower.startsWith(k + ' '));
  if (kind === undefined) return quoteError('Unknown SFTP command');
  let p2: string | null = null;
  if (TWO_ARGS.includes(kind)) {
    const second = quotePathname(cmd, first.next, home);
    if (!second) {
      const what = kind === 'ln' || kind === 'symlink' ? 'ln/symlink' : kind === 'rename' ? 'rename' : cmd;
      return quoteError(`Syntax error in ${what}: Bad second parameter`);
    }
    p2 = second.path;
  }
  return { kind, acceptFail, p1: first.path, p2, text: cmd };
}

function failed(c: QuoteCommand, what: string, err: SftpError | undefined | null): QuoteOutcome {
  if (!err || c.acceptFail) return { ok: true, header: null };
  return quoteError(`${what}: ${fxText(fxCode(err))}`);
}

/** libcurl's strtoul(x, NULL, base) with its "not a number" check (0 from a non-digit start). */
function number(s: string, base: number): number | null {
  const m = (base === 8 ? /^\s*[+-]?[0-7]*/ : /^\s*[+-]?\d*/).exec(s)![0].trim();
  const n = m === '' || m === '+' || m === '-' ? 0 : Number.parseInt(m, base);
  return n === 0 && !/^\d/.test(s) ? null : n >>> 0;
}

function statvfsText(v: StatvfsInfo): string {
  const f = (x: number | bigint): string => BigInt(x).toString();
  return `statvfs:\nf_bsize: ${f(v.f_bsize)}\nf_frsize: ${f(v.f_frsize)}\nf_blocks: ${f(v.f_blocks)}\n` +
    `f_bfree: ${f(v.f_bfree)}\nf_bavail: ${f(v.f_bavail)}\nf_files: ${f(v.f_files)}\nf_ffree: ${f(v.f_ffree)}\n` +
    `f_favail: ${f(v.f_favail)}\nf_fsid: ${f(v.f_sid)}\nf_flag: ${f(v.f_flag)}\nf_namemax: ${f(v.f_namemax)}\n`;
}

/** The attribute change of chgrp/chmod/chown/atime/mtime, given the current attributes. */
function newAttrs(c: QuoteCommand, cur: SftpAttrs | null): SftpAttrs | QuoteOutcome {
  switch (c.kind) {
    case 'chgrp': {
      const gid = number(c.p1, 10);
      if (gid === null && !c.acceptFail) return quoteError('Syntax error: chgrp gid not a number');
      return { uid: cur?.uid ?? 0, gid: gid ?? 0 };
    }
    case 'chown': {
      const uid = number(c.p1, 10);
      if (uid === null && !c.acceptFail) return quoteError('Syntax error: chown uid not a number');
      return { uid: uid ?? 0, gid: cur?.gid ?? 0 };
    }
    case 'chmod': {
      const mode = number(c.p1, 8);
      if (mode === null) return quoteError('Syntax error: chmod permissions not a number');
      return { mode };
    }
    default: {
      // atime, mtime: SFTP sets both at once; the other one stays what stat said
      const d = parseDate(c.p1);
      if (d.time === -1) return quoteError(`incorrect date format for ${c.kind}`);
      if (d.time > 0xffffffff) return quoteError('date overflow');
      return c.kind === 'atime' ? { atime: d.time, mtime: cur?.mtime ?? 0 } : { atime: cur?.atime ?? 0, mtime: d.time };
    }
  }
}

/** Send the requests of a parsed command; `done` is called once, from an ssh2 callback. */
export function runQuote(sftp: SftpSession, c: QuoteCommand, dirPerms: number, done: (r: QuoteOutcome) => void): void {
  const ok = (what: string) => (err?: SftpError | null): void => done(failed(c, what, err));
  switch (c.kind) {
    case 'mkdir': return sftp.mkdir(c.p1, { mode: dirPerms }, ok('mkdir command failed'));
    case 'rmdir': return sftp.rmdir(c.p1, ok('rmdir command failed'));
    case 'rm': return sftp.unlink(c.p1, ok('rm command failed'));
    case 'rename': return sftp.rename(c.p1, c.p2!, ok('rename command failed'));
    case 'ln':
    case 'symlink':
      // "ln source dest" makes dest point at source
      return sftp.symlink(c.p1, c.p2!, ok('symlink command failed'));
    case 'statvfs':
      // exact 64-bit numbers (f_fsid is often above 2^53) for this one answer: no other request is in flight
      sftp._biOpt = 'always';
      return sftp.ext_openssh_statvfs(c.p1, (err, info) => {
        sftp._biOpt = undefined;
        if (err) return done(failed(c, 'statvfs command failed', err));
        done({ ok: true, header: statvfsText(info) });
      });
  }
  const set = (attrs: SftpAttrs): void => sftp.setstat(c.p2!, attrs, ok('Attempt to set SFTP stats failed'));
  if (c.kind === 'chmod') {
    const a = newAttrs(c, null);
    if ('ok' in a) return done(a);
    return set(a);
  }
  // the others set two values at once: the current attributes first (an extra round trip, as libcurl)
  sftp.stat(c.p2!, (err, st) => {
    if (err && !c.acceptFail) return done(quoteError(`Attempt to get SFTP stats failed: ${fxText(fxCode(err))}`));
    const a = newAttrs(c, err ? null : st);
    if ('ok' in a) return done(a);
    set(a);
  });
}
