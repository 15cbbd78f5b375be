// IMAP and IMAPS (libcurl's imap.c, RFC 3501): list mailboxes, SELECT a
// mailbox and FETCH a message by UID or MAILINDEX (a SECTION, a PARTIAL
// range), SEARCH it (the URL's query), APPEND an upload, or run any command
// (CUSTOMREQUEST) whose untagged answers are the body.
//
// Theory of operation. Each command carries a tag ("A001"; the letter follows
// the connection's id). Connect phase: the "* OK" greeting (PREAUTH skips the
// login), CAPABILITY, STARTTLS per USE_SSL then CAPABILITY again, SASL
// (AUTHENTICATE, with an initial response when the server says SASL-IR) or
// LOGIN. A FETCH answer "* n FETCH (BODY[] {size}" is followed by `size` bytes
// of body, then ")" and the tagged OK. The connection says LOGOUT when it closes.
import { CURLE, type CURLcode } from '../../codes.js';
import { CURLOPT } from '../../easy/option-table.js';
import { CURLPROTO } from '../../constants.js';
import { CLIENTWRITE } from '../../cw/client-write.js';
import { PROTOPT, type ProtocolHandler, type ProtocolRequest } from '../handler.js';
import { lineText } from '../pingpong.js';
import { SaslSession } from '../../auth/sasl.js';
import { SASL_AUTH_NONE, SASL_AUTH_DEFAULT, mechsFromList } from '../../auth/sasl-mechs.js';
import { toBytes, urlDecode } from '../../url/url-bytes.js';
import { MailRequest } from './mail-request.js';
import { CURLUSESSL, loginOptions, mailConnectionFit, mailCredentials, mailSasl, useSsl, type MailCredentials } from './mail-common.js';
import { mailBody, wantsUpload, type MailBody } from './mail-upload.js';
import { imapAtom, parseImapPath, splitCustom, type ImapTarget } from './imap-url.js';
import { lfToCrlf } from './dot-body.js';

/** libcurl's IMAP response codes: tagged OK/NO/BAD/PREAUTH, untagged '*', continuation '+'. */
const RESP = { OK: 0x4f, NO: 0x4e, BAD: 0x42, PREAUTH: 0x50, UNTAGGED: 0x2a, CONT: 0x2b, ERROR: -1 } as const;

type State = 'greet' | 'capability' | 'starttls' | 'authenticate' | 'login' | 'list' | 'select' | 'fetch' | 'fetch-final'
  | 'search' | 'append' | 'append-final';

/** The most untagged lines one answer may have outside LIST/SEARCH output. */
const MAX_UNTAGGED = 10_000;

const IMAP_SASL = { contcode: RESP.CONT, finalcode: RESP.OK, maxirlen: 0 };

/** Does the untagged line's answer name `cmd` ("* CAPABILITY ...", "* 3 FETCH ...")? (imap_matchresp) */
function matchResp(text: string, cmd: string): boolean {
  const words = text.slice(2).split(' ');
  const w = /^\d+$/.test(words[0] ?? '') ? words[1] : words[0];
  return (w ?? '').toUpperCase() === cmd.toUpperCase();
}

class ImapRequest extends MailRequest {
  protected implicitTls: boolean;
  #state: State = 'greet';
  #tag = '*';
  #sasl: SaslSession | null = null;
  #creds: MailCredentials | null = null;
  #target: ImapTarget | null = null;
  #custom: string | null = null;
  #customParams = '';
  #tlsSupported = false;
  #loginDisabled = false;
  #irSupported = false;
  #preauth = false;
  /** LOGIN_OPTIONS' choice: 'any', 'sasl' only, 'login' only (AUTH=+LOGIN), 'none' */
  #untagged = 0;
  #preftype: 'any' | 'sasl' | 'login' | 'none' = 'any';

  constructor(...args: ConstructorParameters<typeof MailRequest>) {
    super(...args);
    this.implicitTls = (this.t.handler!.flags & PROTOPT.SSL) !== 0;
  }

  protected endOfResponse = (line: Buffer): number | null => {
    const text = lineText(line);
    if (text.startsWith(this.#tag + ' ')) {
      const rest = text.slice(this.#tag.length + 1);
      if (rest.startsWith('OK')) return RESP.OK;
      if (rest.startsWith('PREAUTH')) return RESP.PREAUTH;
      if (rest.startsWith('NO')) return RESP.NO;
      if (rest.startsWith('BAD')) return RESP.BAD;
      return RESP.ERROR;
    }
    if (text.startsWith('* ')) {
      switch (this.#state) {
        case 'capability': return matchResp(text, 'CAPABILITY') ? RESP.UNTAGGED : null;
        case 'select': return RESP.UNTAGGED;
        case 'fetch': return matchResp(text, 'FETCH') ? RESP.UNTAGGED : null;
        case 'search': return matchResp(text, 'SEARCH') ? RESP.UNTAGGED : null;
        case 'list': {
          const c = this.#custom;
          if (c === null) return matchResp(text, 'LIST') ? RESP.UNTAGGED : null;
          const any = ['SELECT', 'EXAMINE', 'SEARCH', 'EXPUNGE', 'LSUB', 'UID', 'GETQUOTAROOT', 'NOOP'];
          if (matchResp(text, c) || any.includes(c.toUpperCase()) || (c.toUpperCase() === 'STORE' && matchResp(text, 'FETCH'))) return RESP.UNTAGGED;
          return null;
        }
        default: return null;
      }
    }
    if (text === '+' || text.startsWith('+ ')) {
      // (libcurl parses a CUSTOMREQUEST only after logging in: continuations for AUTHENTICATE still count)
      if (this.#state === 'authenticate' || this.#state === 'append') return RESP.CONT;
      return this.#custom === null ? RESP.ERROR : null;
    }
    return null;
  };

  #setup(): CURLcode {
    const target = parseImapPath(this.t.url!.path);
    if (!target) return this.fail(CURLE.URL_MALFORMAT);
    this.#target = target;
    const custom = this.t.opts.str(CURLOPT.CUSTOMREQUEST);
    if (custom !== null) {
      const d = urlDecode(toBytes(custom), true);
      if (d === null) return this.fail(CURLE.URL_MALFORMAT);
      const s = splitCustom(d);
      this.#custom = s.command;
      this.#customParams = s.params;
    }
    return CURLE.OK;
  }

  protected connect(): CURLcode {
    const c = this.#setup();
    if (c !== CURLE.OK) return c;
    const cr = mailCredentials(this.t);
    if (cr.code !== CURLE.OK) return this.fail(cr.code, cr.message);
    this.#creds = cr.creds;
    const sasl = (this.#sasl = mailSasl(this.t, IMAP_SASL, cr.creds));
    for (const { key, value } of loginOptions(this.t)) {
      if (key.toUpperCase() !== 'AUTH=') return this.fail(CURLE.URL_MALFORMAT);
      if (!sasl.parseAuthOption(value)) {
        if (value.toUpperCase() !== '+LOGIN') return this.fail(CURLE.URL_MALFORMAT);
        sasl.prefmech = SASL_AUTH_NONE;
        this.#preftype = 'login';
      }
    }
    if (this.#preftype !== 'login') {
      this.#preftype = sasl.prefmech === SASL_AUTH_NONE ? 'none' : sasl.prefmech === SASL_AUTH_DEFAULT ? 'any' : 'sasl';
    }
    this.#tag = '*';
    this.#state = 'greet';
    return CURLE.OK;
  }

  protected perform(): CURLcode {
    if (this.#target === null) {
      const c = this.#setup();
      if (c !== CURLE.OK) return c;
    }
    this.expectResponse();
    const tg = this.#target!;
    const s = this.session;
    const selected = tg.mailbox !== null && s.mailbox === tg.mailbox && (tg.uidvalidity === null || s.uidvalidity === tg.uidvalidity);
    if (wantsUpload(this.t)) return this.#append();
    if (this.#custom !== null && (selected || tg.mailbox === null)) return this.#list();
    if (this.#custom === null && selected && (tg.uid !== null || tg.mindex !== null)) return this.#fetch();
    if (this.#custom === null && selected && tg.query !== null) return this.#search();
    if (tg.mailbox !== null && !selected && (this.#custom !== null || tg.uid !== null || tg.mindex !== null || tg.query !== null)) return this.#select();
    return this.#list();
  }

  /** A tagged command (imap_sendf): the next tag, then the text. */
  #cmd(state: State, text: string): CURLcode {
    this.session.cmdid = (this.session.cmdid + 1) % 1000;
    this.#tag = String.fromCharCode(0x41 + (this.conn.id % 26)) + String(this.session.cmdid).padStart(3, '0');
    this.#state = state;
    return this.send(`${this.#tag} ${text}`);
  }

  #capability(): CURLcode {
    this.#sasl!.authmechs = 0;
    this.#tlsSupported = false;
    this.#irSupported = false;
    return this.#cmd('capability', 'CAPABILITY');
  }

  protected override afterTls(): CURLcode {
    return this.#capability();
  }

  #authenticate(): CURLcode {
    const sasl = this.#sasl!;
    if (this.#preauth || !sasl.canAuthenticate()) return this.#connected();
    const st = this.#preftype === 'login' ? { kind: 'none' as const } : sasl.start(this.#irSupported);
    if (st.kind === 'auth') return this.#cmd('authenticate', st.ir !== null ? `AUTHENTICATE ${st.mech} ${st.ir}` : `AUTHENTICATE ${st.mech}`);
    if (st.kind === 'fail') return this.fail(st.code, st.message);
    if (!this.#loginDisabled && (this.#preftype === 'any' || this.#preftype === 'login')) return this.#login();
    this.info('No known authentication mechanisms supported');
    return this.fail(CURLE.LOGIN_DENIED);
  }

  #login(): CURLcode {
    const c = this.#creds!;
    if (c.user === null) return this.#connected();
    return this.#cmd('login', `LOGIN ${imapAtom(toBytes(c.user), false)} ${imapAtom(toBytes(c.passwd), false)}`);
  }

  #connected(): CURLcode {
    // LOGOUT with the tag after the last one used, when the connection closes
    const letter = String.fromCharCode(0x41 + (this.conn.id % 26));
    this.connected((s) => `${letter}${String((s.cmdid = (s.cmdid + 1) % 1000)).padStart(3, '0')} LOGOUT`);
    return this.perform();
  }

  #list(): CURLcode {
    if (this.#custom !== null) return this.#cmd('list', this.#custom + this.#customParams);
    const mb = this.#target!.mailbox !== null ? imapAtom(this.#target!.mailbox, true) : '';
    return this.#cmd('list', `LIST "${mb}" *`);
  }

  #select(): CURLcode {
    this.session.mailbox = null;
    this.session.uidvalidity = null;
    const mb = this.#target!.mailbox;
    if (mb === null) return this.fail(CURLE.URL_MALFORMAT, 'Cannot SELECT without a mailbox.');
    return this.#cmd('select', `SELECT ${imapAtom(mb, false)}`);
  }

  #fetch(): CURLcode {
    const tg = this.#target!;
    const section = tg.section ?? '';
    const partial = tg.partial !== null ? `<${tg.partial}>` : '';
    if (tg.uid !== null) return this.#cmd('fetch', `UID FETCH ${tg.uid} BODY[${section}]${partial}`);
    if (tg.mindex !== null) return this.#cmd('fetch', `FETCH ${tg.mindex} BODY[${section}]${partial}`);
    return this.fail(CURLE.URL_MALFORMAT, 'Cannot FETCH without a UID.');
  }

  #search(): CURLcode {
    return this.#cmd('search', `SEARCH ${this.#target!.query}`);
  }

  #append(): CURLcode {
    const mb = this.#target!.mailbox;
    if (mb === null) return this.fail(CURLE.URL_MALFORMAT, 'Cannot APPEND without a mailbox.');
    const r = mailBody(this.t, this.guard);
    if (r.code !== CURLE.OK) return this.fail(r.code, r.message);
    this.#upload = r.body!;
    if (r.body!.size < 0) return this.fail(CURLE.UPLOAD_FAILED, 'Cannot APPEND with unknown input file size');
    this.t.uploadLength = r.body!.size;
    return this.#cmd('append', `APPEND ${imapAtom(mb, false)}${appendFlags(this.t.opts.num(CURLOPT.UPLOAD_FLAGS))} {${r.body!.size}}`);
  }

  #upload: MailBody | null = null;

  /** An untagged line as body (LIST, SEARCH, custom commands). */
  #writeLine(last: Buffer): CURLcode {
    if (this.t.opts.num(CURLOPT.NOBODY) !== 0) return CURLE.OK;
    const c = this.t.writers.write(CLIENTWRITE.BODY, Buffer.from(lineText(last) + '\r\n', 'latin1'));
    return typeof c === 'number' && c !== CURLE.OK ? this.fail(c) : CURLE.OK;
  }

  protected onResponse(code: number, lines: Buffer[]): CURLcode {
    const last = lines[lines.length - 1]!;
    const text = lineText(last);
    // untagged lines come one by one: outside a listing, a server that never ends its answer is cut off
    if (code !== RESP.UNTAGGED || this.#state === 'list' || this.#state === 'search') this.#untagged = 0;
    else if (++this.#untagged > MAX_UNTAGGED) return this.fail(CURLE.WEIRD_SERVER_REPLY, 'Excessive server response: too many lines');
    if (code === RESP.ERROR) return this.fail(CURLE.WEIRD_SERVER_REPLY, this.#state === 'authenticate' || this.#state === 'append' ? 'Unexpected continuation response' : 'Bad tagged response');
    switch (this.#state) {
      case 'greet':
        if (code === RESP.PREAUTH) {
          this.#preauth = true;
          this.info('PREAUTH connection, already authenticated');
        } else if (code !== RESP.OK) {
          return this.fail(CURLE.WEIRD_SERVER_REPLY, 'Got unexpected imap-server response');
        }
        return this.#capability();
      case 'capability':
        if (code === RESP.UNTAGGED) {
          this.#parseCapabilities(text);
          return CURLE.OK;
        }
        if (useSsl(this.t) !== CURLUSESSL.NONE && !this.session.tls) {
          if (code === RESP.OK && this.#tlsSupported && !this.#preauth) return this.#cmd('starttls', 'STARTTLS');
          if (useSsl(this.t) <= CURLUSESSL.TRY) return this.#authenticate();
          return this.fail(CURLE.USE_SSL_FAILED, 'STARTTLS not available.');
        }
        return this.#authenticate();
      case 'starttls':
        return this.startTlsAnswered(code === RESP.OK, 'STARTTLS denied', () => this.#authenticate());
      case 'authenticate': {
        const s = this.#sasl!.next(code, code === RESP.CONT ? text.slice(2) : '');
        switch (s.kind) {
          case 'send': return this.send(s.line);
          case 'auth': return this.#cmd('authenticate', s.ir !== null ? `AUTHENTICATE ${s.mech} ${s.ir}` : `AUTHENTICATE ${s.mech}`);
          case 'done': return this.#connected();
          case 'none':
            if (!this.#loginDisabled && (this.#preftype === 'any' || this.#preftype === 'login')) return this.#login();
            return this.fail(CURLE.LOGIN_DENIED, 'Authentication cancelled');
          case 'fail': return this.fail(s.code, s.message);
        }
        return CURLE.OK;
      }
      case 'login':
        if (code !== RESP.OK) return this.fail(CURLE.LOGIN_DENIED, `Access denied. ${String.fromCharCode(code)}`);
        return this.#connected();
      case 'list':
        if (code === RESP.UNTAGGED) return this.#custom !== null ? this.#customUntagged(last, text) : this.#writeLine(last);
        if (code !== RESP.OK) return this.fail(CURLE.QUOTE_ERROR);
        return this.complete(true);
      case 'search':
        if (code === RESP.UNTAGGED) return this.#writeLine(last);
        if (code !== RESP.OK) return this.fail(CURLE.QUOTE_ERROR, 'SEARCH failed');
        return this.complete(true);
      case 'select':
        return this.#selectResponse(code, text);
      case 'fetch':
        return this.#fetchResponse(code, text);
      case 'fetch-final':
        if (code !== RESP.OK) return this.fail(CURLE.WEIRD_SERVER_REPLY);
        return this.complete(true);
      case 'append': {
        if (code !== RESP.CONT) return this.fail(CURLE.UPLOAD_FAILED);
        this.#state = 'append-final';
        const crlf = this.t.opts.num(CURLOPT.CRLF) !== 0;
        // the literal's end: the APPEND command line ends with an empty line
        this.beginUpload(this.#upload!.reader, crlf ? lfToCrlf : null, () => {
          this.send('');
          return Buffer.alloc(0);
        });
        return CURLE.OK;
      }
      case 'append-final':
        if (code !== RESP.OK) return this.fail(CURLE.UPLOAD_FAILED);
        return this.complete(true);
    }
  }

  #parseCapabilities(text: string): void {
    // bounded by the line's words
    for (const word of text.slice(2).split(' ')) {
      // capability atoms are case-insensitive (RFC 3501 9): "starttls" offers STARTTLS
      const upper = word.toUpperCase();
      if (upper === 'STARTTLS') this.#tlsSupported = true;
      else if (upper === 'LOGINDISABLED') this.#loginDisabled = true;
      else if (upper === 'SASL-IR') this.#irSupported = true;
      else if (upper.startsWith('AUTH=')) {
        this.#sasl!.authmechs |= mechsFromList(word.slice(5));
      }
    }
  }

  #selectResponse(code: number, text: string): CURLcode {
    const tg = this.#target!;
    if (code === RESP.UNTAGGED) {
      const m = /^\* OK \[UIDVALIDITY ([0-9]{1,19})\]/.exec(text);
      if (m) this.session.uidvalidity = m[1]!;
      return CURLE.OK;
    }
    if (code !== RESP.OK) return this.fail(CURLE.LOGIN_DENIED, 'Select failed');
    if (tg.uidvalidity !== null && this.session.uidvalidity !== null && tg.uidvalidity.toLowerCase() !== this.session.uidvalidity.toLowerCase()) {
      return this.fail(CURLE.REMOTE_FILE_NOT_FOUND, 'Mailbox UIDVALIDITY has changed');
    }
    this.session.mailbox = tg.mailbox;
    if (this.#custom !== null) return this.#list();
    if (tg.query !== null) return this.#search();
    return this.#fetch();
  }

  #fetchResponse(code: number, text: string): CURLcode {
    if (code !== RESP.UNTAGGED) return this.fail(CURLE.REMOTE_FILE_NOT_FOUND);
    const m = /\{(\d+)\}$/.exec(text);
    if (!m) return this.fail(CURLE.WEIRD_SERVER_REPLY, 'Failed to parse FETCH response.');
    const size = Number(m[1]);
    this.info(`Found ${size} bytes to download`);
    this.t.contentLength = size;
    this.#state = 'fetch-final';
    if (this.t.opts.num(CURLOPT.NOBODY) !== 0 || size === 0) {
      // the literal's bytes still come: they are read and dropped as lines of the final response
      return size === 0 ? CURLE.OK : this.#skipLiteral(size);
    }
    this.beginLiteral(size);
    return CURLE.OK;
  }

  /**
   * An untagged line of a custom command: a line that ends in a literal ("* 1 FETCH (BODY[] {71}")
   * is written with the literal's bytes after it, and the rest of the answer is read but not
   * delivered (libcurl 8's imap_state_listsearch_resp); any other line is written as it is.
   */
  #customUntagged(last: Buffer, text: string): CURLcode {
    const m = /\{(\d{1,18})\}$/.exec(text);
    if (!m) return this.#writeLine(last);
    const c = this.#writeLine(last);
    if (c !== CURLE.OK) return c;
    const size = Number(m[1]);
    this.info(`Found ${size} bytes to download`);
    this.t.contentLength = size;
    // the tagged answer after the literal ends the transfer (a NO to it is the command's failure)
    this.#state = 'fetch-final';
    if (size > 0) this.beginLiteral(size, this.t.opts.num(CURLOPT.NOBODY) !== 0);
    return CURLE.OK;
  }

  /** NOBODY: the literal is received but not delivered. */
  #skipLiteral(size: number): CURLcode {
    this.beginLiteral(size, true);
    return CURLE.OK;
  }
}

/** CURLOPT_UPLOAD_FLAGS as APPEND's flag list: " (\\Answered \\Seen)", nothing without flags (libcurl 8.13). */
function appendFlags(bits: number): string {
  const names = (['Answered', 'Deleted', 'Draft', 'Flagged', 'Seen'] as const).filter((_, i) => bits & (1 << i));
  return bits ? ` (${names.map((n) => '\\' + n).join(' ')})` : '';
}

const imapRequest: ProtocolHandler['request'] = (t, conn, guard): ProtocolRequest => new ImapRequest(t, conn, guard);

export const IMAP_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'imap', defaultPort: 143, protocol: CURLPROTO.IMAP, flags: 0, alpn: [], request: imapRequest, connectionFit: mailConnectionFit,
});

export const IMAPS_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'imaps', defaultPort: 993, protocol: CURLPROTO.IMAPS, flags: PROTOPT.SSL, alpn: [], request: imapRequest, connectionFit: mailConnectionFit,
});
