// The POP3 and SMTP sides of the scripted server (ftpserver.pl's POP3 and
// SMTP commands).
// POP3: RETR/TOP N send <data> (or <dataP> for N000P) between "+OK" and
// ".", LIST sends <data>; CAPA, AUTH, APOP, UIDL and TOP exist only as far
// as `CAPA`/`AUTH` in <servercmd> enable them.
// SMTP: EHLO/HELO name the test number (as curl's URL path makes it); DATA
// reads the mail up to the CRLF.CRLF marker into log/upload.N; VRFY and
// EXPN answer with <data>; AUTH has no handler, the cases script it with
// REPLY lines.

import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { MAIL_BANNER, uploadFile } from './imap-commands.js';
import type { Handler, PingPongProtocol } from './pingpong-server.js';

/** The word-command form every protocol but IMAP uses. */
function commandWord(full: string): { cmd: string; arg: string | undefined } | undefined {
  const m = /^([A-Za-z]{3,4})(\s(.*))?$/.exec(full);
  return m ? { cmd: m[1] as string, arg: m[3] } : undefined;
}

const POP3_TIMESTAMP = '<1972.987654321@curl>';
const TEXT_PASSWORD = 'secret';

const has = (list: readonly string[], word: string): boolean => list.includes(word);

const POP3_HANDLERS: Record<string, Handler> = {
  CAPA: async (s) => {
    // each line gets a CRLF twice, as the script builds it
    const list = s.cmds.capabilities.filter((c) => c !== 'APOP').map((c) => `${c}\r\n`);
    if (s.cmds.authMechs.length) list.push(`SASL ${s.cmds.authMechs.join(' ')}\r\n`);
    if (!list.length) return s.send('-ERR Unrecognized command\r\n');
    await s.send(`+OK List of capabilities follows\r\n${list.map((l) => `${l}\r\n`).join('')}` +
      'IMPLEMENTATION POP3 pingpong test server\r\n.\r\n');
  },
  APOP: async (s, arg) => {
    const i = (arg ?? '').indexOf(' ');
    const user = i < 0 ? (arg ?? '') : (arg ?? '').slice(0, i);
    const secret = i < 0 ? '' : (arg ?? '').slice(i + 1);
    if (!has(s.cmds.capabilities, 'APOP')) return s.send('-ERR Unrecognized command\r\n');
    if (user === '' || secret === '') return s.send('-ERR Protocol error\r\n');
    const digest = createHash('md5').update(POP3_TIMESTAMP + TEXT_PASSWORD).digest('hex');
    await s.send(secret === digest ? '+OK Login successful\r\n' : '-ERR Login failure\r\n');
  },
  AUTH: async (s) => {
    if (!s.cmds.authMechs.length) return s.send('-ERR Unrecognized command\r\n');
    await s.send(`+OK List of supported mechanisms follows\r\n${s.cmds.authMechs.map((m) => `${m}\r\n`).join('')}.\r\n`);
  },
  USER: async (s, arg) => s.send(arg && arg !== '0' ? '+OK\r\n' : '-ERR Protocol error\r\n'),
  PASS: async (s) => s.send('+OK Login successful\r\n'),
  RETR: async (s, arg) => {
    await s.send(`+OK Mail transfer starts\r\n${s.replyData(arg ?? '')}.\r\n`);
  },
  LIST: async (s) => {
    await s.send(`+OK Listing starts\r\n${s.part('data') ?? ''}.\r\n`);
  },
  DELE: async (s, arg) => {
    if (!arg || arg === '0') return s.send('-ERR Protocol error\r\n');
    s.server.mail.deleted.push(arg);
    await s.send('+OK\r\n');
  },
  STAT: async (s, arg) => s.send(arg ? '-ERR Protocol error\r\n' : '+OK 3 4294967800\r\n'),
  NOOP: async (s, arg) => s.send(arg ? '-ERR Protocol error\r\n' : '+OK\r\n'),
  UIDL: async (s) => {
    if (!has(s.cmds.capabilities, 'UIDL')) return s.send('-ERR Unrecognized command\r\n');
    await s.send('+OK Listing starts\r\n1 1\r\n2 2\r\n3 4\r\n.\r\n');
  },
  TOP: async (s, arg) => {
    const i = (arg ?? '').indexOf(' ');
    const msgid = i < 0 ? (arg ?? '') : (arg ?? '').slice(0, i);
    const lines = i < 0 ? '' : (arg ?? '').slice(i + 1);
    if (!has(s.cmds.capabilities, 'TOP')) return s.send('-ERR Unrecognized command\r\n');
    if (msgid === '' || lines === '') return s.send('-ERR Protocol error\r\n');
    await s.send(`+OK Mail transfer starts\r\n${s.replyData(msgid)}.\r\n`);
  },
  RSET: async (s, arg) => {
    if (arg) return s.send('-ERR Protocol error\r\n');
    s.server.mail.deleted = [];
    await s.send('+OK\r\n');
  },
  QUIT: async (s) => {
    s.server.mail.deleted = [];
    await s.send('+OK curl POP3 server signing off\r\n');
  },
};

export const POP3_PROTOCOL: PingPongProtocol = {
  name: 'pop3',
  welcome: `${MAIL_BANNER}+OK curl POP3 server ready to serve \r\n`,
  displayText: {},
  handlers: POP3_HANDLERS,
  parse(full) {
    const w = commandWord(full);
    if (w) return w;
    if (full === '*') return { cmd: '*', arg: '' };
    if (/^[A-Z0-9+/]*={0,2}$/i.test(full)) return { cmd: full, arg: '' };
    return '-ERR Unrecognized command\r\n';
  },
  notHandled: (cmd) => `-ERR ${cmd} is not dealt with!\r\n`,
};

const ADDRESS = /^<([a-zA-Z0-9._%+-]+)@(([a-zA-Z0-9-]+)\.)+([a-zA-Z]{2,4})>$/;
const ADDRESS_UTF8 = /^<([a-zA-Z0-9\x80-\xff._%+-]+)@(([a-zA-Z0-9\x80-\xff-]+)\.)+([a-zA-Z]{2,4})>$/;
const USERNAME = /^([a-zA-Z0-9._%+-]+)(@(([a-zA-Z0-9-]+)\.)+([a-zA-Z]{2,4}))?$/;
const USERNAME_UTF8 = /^([a-zA-Z0-9\x80-\xff._%+-]+)(@(([a-zA-Z0-9\x80-\xff-]+)\.)+([a-zA-Z]{2,4}))?$/;
const FULL_ADDRESS = /^([a-zA-Z0-9._%+-]+)@(([a-zA-Z0-9-]+)\.)+([a-zA-Z]{2,4})$/;

const hello = (type: string): Handler => async (s, arg) => {
  const client = arg && arg !== '0' ? arg : '[127.0.0.1]';
  s.state.smtpType = type;
  s.state.smtpClient = client;
  if (type === 'SMTP') return s.send(`250 SMTP pingpong test server Hello ${client}\r\n`);
  const lines = [`ESMTP pingpong test server Hello ${client}`, ...s.cmds.capabilities];
  if (s.cmds.authMechs.length) lines.push(`AUTH ${s.cmds.authMechs.join(' ')}`);
  await s.send(lines.map((l, i) => `250${i < lines.length - 1 ? '-' : ' '}${l}\r\n`).join(''));
};

const SMTP_HANDLERS: Record<string, Handler> = {
  EHLO: hello('ESMTP'),
  HELO: hello('SMTP'),
  MAIL: async (s, arg) => {
    if (!arg || arg === '0') return s.send('501 Unrecognized parameter\r\n');
    let from = '';
    let size = 0;
    for (const e of arg.split(' ')) {
      let m: RegExpExecArray | null;
      if ((m = /^FROM:(.*)$/.exec(e))) from = m[1] as string;
      else if ((m = /^SIZE=(\d+)$/.exec(e))) size = Number(m[1]);
    }
    // this server does not "validate" MAIL FROM addresses
    if (!from.length) return s.send('501 Invalid address\r\n');
    const limit = s.cmds.capabilities.map((c) => /^SIZE (\d+)$/.exec(c)).find((m) => m);
    await s.send(limit && size > Number(limit[1]) ? '552 Message size too large\r\n' : '250 Sender OK\r\n');
  },
  RCPT: async (s, arg) => {
    const m = /^TO:(.*)/.exec(arg ?? '');
    if (!m) return s.send('501 Unrecognized parameter\r\n');
    const re = has(s.cmds.capabilities, 'SMTPUTF8') ? ADDRESS_UTF8 : ADDRESS;
    await s.send(re.test(m[1] as string) ? '250 Recipient OK\r\n' : '501 Invalid address\r\n');
  },
  DATA: async (s, arg) => {
    if (arg) return s.send('501 Unrecognized parameter\r\n');
    if (!/^\d*$/.test(s.state.smtpClient)) return s.send('501 Invalid arguments\r\n');
    await s.send('354 Show me the mail\r\n');
    const file = uploadFile(s, s.state.smtpClient);
    let raw = '';
    let total = 0;
    for (let chunk = await s.readRaw(); chunk; chunk = await s.readRaw()) {
      total += chunk.length;
      if (file && !s.cmds.noSave) appendFileSync(file, chunk);
      raw += chunk.toString('latin1');
      if (/(?:^|\r\n)\.\r\n/.test(raw)) break;
    }
    if (file && s.cmds.noSave) appendFileSync(file, `${total} bytes would have been stored here\n`);
    await s.send('250 OK, data received!\r\n');
  },
  NOOP: async (s, arg) => s.send(arg ? '501 Unrecognized parameter\r\n' : '250 OK\r\n'),
  RSET: async (s, arg) => s.send(arg ? '501 Unrecognized parameter\r\n' : '250 Resetting\r\n'),
  HELP: async (s) => {
    await s.send('214-This server supports the following commands:\r\n' +
      `214 HELO EHLO RCPT DATA RSET MAIL VRFY EXPN QUIT HELP${s.cmds.authMechs.length ? ' AUTH' : ''}\r\n`);
  },
  VRFY: async (s, arg) => {
    const i = (arg ?? '').indexOf(' ');
    const username = i < 0 ? (arg ?? '') : (arg ?? '').slice(0, i);
    if (username === '') return s.send('501 Unrecognized parameter\r\n');
    const re = has(s.cmds.capabilities, 'SMTPUTF8') ? USERNAME_UTF8 : USERNAME;
    if (!re.test(username)) return s.send('501 Invalid address\r\n');
    const data = s.replyData(s.state.smtpClient);
    if (data) return s.send(data);
    await s.send(FULL_ADDRESS.test(username) ? `250 <${username}>\r\n` : `250 <${username}@example.com>\r\n`);
  },
  EXPN: async (s, arg) => {
    if (!arg || arg === '0') return s.send('501 Unrecognized parameter\r\n');
    await s.send(s.replyData(s.state.smtpClient));
  },
  QUIT: async (s) => s.send(`221 curl ${s.state.smtpType} server signing off\r\n`),
};

export const SMTP_PROTOCOL: PingPongProtocol = {
  name: 'smtp',
  welcome:
    '220-        _   _ ____  _\r\n220-    ___| | | |  _ \\| |\r\n220-   / __| | | | |_) | |\r\n' +
    '220-  | (__| |_| |  _ {| |___\r\n220    \\___|\\___/|_| \\_\\_____|\r\n',
  displayText: {},
  handlers: SMTP_HANDLERS,
  parse(full) {
    const w = commandWord(full);
    if (w) return w;
    if (full === '*') return { cmd: '*', arg: '' };
    if (/^[A-Z0-9+/]{0,512}={0,2}$/i.test(full)) return { cmd: full, arg: '' };
    return '500 Unrecognized command\r\n';
  },
  notHandled: (cmd) => `500 ${cmd} is not dealt with!\r\n`,
};
