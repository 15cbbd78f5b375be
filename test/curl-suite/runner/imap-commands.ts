// The IMAP side of the scripted server (ftpserver.pl's IMAP commands). A
// command line is `TAG COMMAND ARGS`; replies end with `TAG OK ...` (or BAD).
// The mailbox or reference an IMAP command names is the test number (with a
// part number above 10000): FETCH, LIST, EXAMINE, STATUS, SEARCH and UID
// answer with that <dataN>; APPEND stores the literal in log/upload.MAILBOX.
// CAPABILITY only works with `CAPA`/`AUTH` in <servercmd>; AUTHENTICATE has
// no handler at all, the cases script it with REPLY lines.

import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Handler, PingPongProtocol, Session } from './pingpong-server.js';

export const MAIL_BANNER =
  '        _   _ ____  _\r\n' +
  '    ___| | | |  _ \\| |\r\n' +
  '   / __| | | | |_) | |\r\n' +
  '  | (__| |_| |  _ {| |___\r\n' +
  '   \\___|\\___/|_| \\_\\_____|\r\n';

/** fix_imap_params: a double-quoted parameter loses its quotes (nothing else is unescaped). */
function unquote(p: string | undefined): string {
  if (p === undefined) return '';
  return /^"(.*)"$/s.exec(p)?.[1] ?? p;
}

/** perl's split(/ /, $s, 2). */
function split2(s: string | undefined): [string | undefined, string | undefined] {
  if (s === undefined || s === '') return [undefined, undefined];
  const i = s.indexOf(' ');
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/** Where an upload for `name` goes: log/upload.NAME, when that stays inside the log dir. */
export function uploadFile(s: Session, name: string): string | undefined {
  const logDir = s.server.opts.logDir;
  const file = path.resolve(logDir, `upload.${name}`);
  if (path.dirname(file) !== logDir) return undefined;
  try {
    writeFileSync(file, '');
    return file;
  } catch {
    return undefined;
  }
}

const ok = (s: Session, text: string): Promise<void> => s.send(`${s.state.cmdId} ${text}\r\n`);

const needsSelected = (fn: Handler): Handler => async (s, arg, cmd) => {
  if (!s.server.mail.selected) return ok(s, 'BAD Command received in Invalid state');
  return fn(s, arg, cmd);
};

const FETCH: Handler = needsSelected(async (s, arg) => {
  const [uid, how] = split2(arg);
  const data = s.replyData(s.server.mail.selected);
  await s.send(`* ${unquote(uid)} FETCH (${unquote(how)} {${data.length}}\r\n`);
  await s.send(data);
  await s.send(`${s.cmds.postFetch})\r\n`);
  await ok(s, 'OK FETCH completed');
});

/** The commands that answer with the named test's data and one completion line. */
function listing(ok1: string, pick: (arg: string | undefined) => string): Handler {
  return async (s, arg) => {
    const name = pick(arg);
    if (name === '') return ok(s, 'BAD Command Argument');
    await s.send(s.replyData(name));
    await ok(s, ok1);
  };
}

const APPEND: Handler = async (s, arg) => {
  const m = /^([^ ]+) [^{]*\{(\d+)\}$/.exec(arg ?? '');
  const mailbox = unquote(m?.[1]);
  const size = Number(m?.[2] ?? 0);
  if (mailbox === '') return ok(s, 'BAD Command Argument');
  await s.send('+ Ready for literal data\r\n');
  const file = uploadFile(s, mailbox);
  let received = 0;
  for (let chunk = await s.readRaw(); chunk; chunk = await s.readRaw()) {
    const take = Math.min(size - received, chunk.length);
    let rest = chunk;
    if (take > 0) {
      if (file && !s.cmds.noSave) appendFileSync(file, chunk.subarray(0, take));
      rest = chunk.subarray(take);
      received += take;
    }
    // the literal ends with the CRLF that ends the command
    if (received === size && rest.toString('latin1') === '\r\n') break;
  }
  if (file && s.cmds.noSave) appendFileSync(file, `${size} bytes would have been stored here\n`);
  await ok(s, 'OK APPEND completed');
};

const STORE: Handler = needsSelected(async (s, arg) => {
  const parts = (arg ?? '').split(' ');
  const uid = unquote(parts[0]);
  const what = parts[1] ?? '';
  const value = parts.slice(2).join(' ');
  if (uid === '' || what !== '+Flags' || value === '') return ok(s, 'BAD Command Argument');
  if (value === '\\Deleted') s.server.mail.deleted.push(uid);
  await s.send(`* ${uid} FETCH (FLAGS (\\Seen ${value}))\r\n`);
  await ok(s, 'OK STORE completed');
});

const UID: Handler = needsSelected(async (s, arg) => {
  // the script's split(/ /, $args, 1) keeps the whole argument as "the command"
  const command = unquote(arg);
  if (command.slice(0, 5) === 'FETCH') return FETCH(s, arg, command);
  if (command !== 'COPY' && command !== 'STORE' && command !== 'SEARCH') return ok(s, 'BAD Command Argument');
  await s.send(s.replyData(s.server.mail.selected));
  await ok(s, `OK ${command} completed`);
});

const HANDLERS: Record<string, Handler> = {
  CAPABILITY: async (s) => {
    const c = s.cmds;
    if (!c.capabilities.length && !c.authMechs.length) return ok(s, 'BAD Command');
    const words = ['IMAP4', ...c.capabilities, ...c.authMechs.map((m) => `AUTH=${m}`)].join(' ');
    await s.send(`* CAPABILITY ${words} pingpong test server\r\n`);
    await ok(s, 'OK CAPABILITY completed');
  },
  LOGIN: async (s, arg) => {
    const [user] = split2(arg);
    await ok(s, unquote(user) === '' ? 'BAD Command Argument' : 'OK LOGIN completed');
  },
  SELECT: async (s, arg) => {
    const mailbox = unquote(arg);
    if (mailbox === '') return ok(s, 'BAD Command Argument');
    await s.send('* 172 EXISTS\r\n* 1 RECENT\r\n* OK [UNSEEN 12] Message 12 is first unseen\r\n' +
      '* OK [UIDVALIDITY 3857529045] UIDs valid\r\n* OK [UIDNEXT 4392] Predicted next UID\r\n' +
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n');
    await ok(s, 'OK [READ-WRITE] SELECT completed');
    s.server.mail.selected = mailbox;
  },
  FETCH,
  APPEND,
  STORE,
  LIST: async (s, arg) => {
    const reference = unquote(split2(arg)[0]);
    if (reference === '') return ok(s, 'BAD Command Argument');
    await s.send(s.replyData(reference));
    await ok(s, 'OK LIST Completed');
  },
  LSUB: listing('OK LSUB Completed', (arg) => unquote(split2(arg)[0])),
  EXAMINE: listing('OK [READ-ONLY] EXAMINE completed', (arg) => unquote(arg)),
  STATUS: listing('OK STATUS completed', (arg) => unquote(split2(arg)[0])),
  SEARCH: needsSelected(async (s, arg) => {
    if (unquote(arg) === '') return ok(s, 'BAD Command Argument');
    await s.send(s.replyData(s.server.mail.selected));
    await ok(s, 'OK SEARCH completed');
  }),
  CREATE: async (s, arg) => ok(s, unquote(arg) === '' ? 'BAD Command Argument' : 'OK CREATE completed'),
  DELETE: async (s, arg) => ok(s, unquote(arg) === '' ? 'BAD Command Argument' : 'OK DELETE completed'),
  RENAME: async (s, arg) => {
    const [from, to] = split2(arg);
    await ok(s, unquote(from) === '' || unquote(to) === '' ? 'BAD Command Argument' : 'OK RENAME completed');
  },
  CHECK: needsSelected(async (s) => ok(s, 'OK CHECK completed')),
  CLOSE: needsSelected(async (s) => {
    if (!s.server.mail.deleted.length) return ok(s, 'BAD Command Argument');
    s.server.mail.deleted = [];
    await ok(s, 'OK CLOSE completed');
  }),
  EXPUNGE: needsSelected(async (s) => {
    const d = s.server.mail.deleted;
    await s.send(d.length ? d.map((u) => `* ${u} EXPUNGE\r\n`).join('') : '* 172 EXISTS\r\n');
    s.server.mail.deleted = [];
    await ok(s, 'OK EXPUNGE completed');
  }),
  COPY: async (s, arg) => {
    const [uid, mailbox] = split2(arg);
    await ok(s, unquote(uid) === '' || unquote(mailbox) === '' ? 'BAD Command Argument' : 'OK COPY completed');
  },
  IDLE: async (s) => s.send('+ entering idle mode\r\n'),
  UID,
  NOOP: async (s, arg) => {
    if (arg) return ok(s, 'BAD Command Argument');
    await s.send('* 22 EXPUNGE\r\n* 23 EXISTS\r\n* 3 RECENT\r\n* 14 FETCH (FLAGS (\\Seen \\Deleted))\r\n');
    await ok(s, 'OK NOOP completed');
  },
  LOGOUT: async (s) => {
    await s.send('* BYE curl IMAP server signing off\r\n');
    await ok(s, 'OK LOGOUT completed');
  },
};

export const IMAP_PROTOCOL: PingPongProtocol = {
  name: 'imap',
  welcome: `${MAIL_BANNER}* OK curl IMAP server ready to serve\r\n`,
  displayText: {},
  handlers: HANDLERS,
  parse(full, s) {
    const m = /^([^ ]+) ([^ ]+) (.*)$/.exec(full) ?? /^([^ ]+) ([^ ]+)$/.exec(full) ?? /^([^ ]+) ([^ ]+)/.exec(full);
    if (m) {
      s.state.cmdId = m[1] as string;
      return { cmd: m[2] as string, arg: m[3] };
    }
    // an authentication exchange: cancelled, or base64 data (the tag stays the command's)
    if (full === '*') return { cmd: '*', arg: '' };
    if (/^[A-Z0-9+/]*={0,2}$/i.test(full)) return { cmd: full, arg: '' };
    return `${full} BAD Command\r\n`;
  },
  notHandled: (cmd, s) => `${s.state.cmdId} BAD ${cmd} is not dealt with!\r\n`,
};
