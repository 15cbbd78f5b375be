// POP3 and POP3S (libcurl's pop3.c, RFC 1939): LIST all messages (or one,
// with --list-only / DIRLISTONLY or a message number and LIST), RETR a
// message by number, or any command (CUSTOMREQUEST: DELE, UIDL, TOP, ...)
// whose multi-line answer is the body.
//
// Theory of operation. Connect phase: the "+OK" greeting (an APOP timestamp
// "<...>" in it makes APOP possible), CAPA, STLS per USE_SSL then CAPA again,
// then SASL (AUTH), APOP or USER/PASS, in that order of preference as
// LOGIN_OPTIONS allows. The command's "+OK" is followed by a body that ends
// with a "." line (dot-stuffing removed), except for a message-specific LIST
// and NOBODY. The connection says QUIT when it closes.
import { createHash } from 'node:crypto';
import { CURLE, type CURLcode } from '../../codes.js';
import { CURLOPT } from '../../easy/option-table.js';
import { CURLPROTO } from '../../constants.js';
import { PROTOPT, type ProtocolHandler, type ProtocolRequest } from '../handler.js';
import { lineText } from '../pingpong.js';
import { SaslSession } from '../../auth/sasl.js';
import { SASL_AUTH_NONE, SASL_AUTH_DEFAULT, mechsFromList } from '../../auth/sasl-mechs.js';
import { toBytes, urlDecode } from '../../url/url-bytes.js';
import { MailRequest } from './mail-request.js';
import { CURLUSESSL, loginOptions, mailConnectionFit, mailCredentials, mailSasl, useSsl, type MailCredentials } from './mail-common.js';

/** libcurl's POP3 response codes: '+' (+OK, and CAPA's "." line), '-' (-ERR), '*' (continuation). */
const RESP = { OK: 0x2b, ERR: 0x2d, CONT: 0x2a } as const;
const TYPE = { CLEARTEXT: 1, APOP: 2, SASL: 4, NONE: 0, ANY: 7 } as const;

type State = 'greet' | 'capa' | 'stls' | 'auth' | 'apop' | 'user' | 'pass' | 'command';

const POP3_SASL = { contcode: RESP.CONT, finalcode: RESP.OK, maxirlen: 255 - 8 };

class Pop3Request extends MailRequest {
  protected implicitTls: boolean;
  #state: State = 'greet';
  #sasl: SaslSession | null = null;
  #creds: MailCredentials | null = null;
  #authtypes = 0;
  #preftype: number = TYPE.ANY;
  #apopTimestamp: string | null = null;
  #tlsSupported = false;
  #id = '';
  #custom: string | null = null;

  constructor(...args: ConstructorParameters<typeof MailRequest>) {
    super(...args);
    this.implicitTls = (this.t.handler!.flags & PROTOPT.SSL) !== 0;
  }

  protected endOfResponse = (line: Buffer): number | null => {
    const text = lineText(line);
    if (text.startsWith('-ERR')) return RESP.ERR;
    if (this.#state === 'capa') return text.startsWith('.') ? RESP.OK : RESP.CONT;
    if (text.startsWith('+OK')) return RESP.OK;
    if (text.startsWith('+')) return RESP.CONT;
    return null;
  };

  #setup(): CURLcode {
    const path = this.t.url!.path;
    const q = path.indexOf('?');
    const id = urlDecode((q < 0 ? path : path.slice(0, q)).slice(1), true);
    if (id === null) return this.fail(CURLE.URL_MALFORMAT);
    this.#id = id;
    const custom = this.t.opts.str(CURLOPT.CUSTOMREQUEST);
    if (custom !== null) {
      const d = urlDecode(toBytes(custom), true);
      if (d === null) return this.fail(CURLE.URL_MALFORMAT);
      this.#custom = d;
    }
    return CURLE.OK;
  }

  protected connect(): CURLcode {
    const c = this.#setup();
    if (c !== CURLE.OK) return c;
    const cr = mailCredentials(this.t);
    if (cr.code !== CURLE.OK) return this.fail(cr.code, cr.message);
    this.#creds = cr.creds;
    const sasl = (this.#sasl = mailSasl(this.t, POP3_SASL, cr.creds));
    let apopOnly = false;
    for (const { key, value } of loginOptions(this.t)) {
      if (key.toUpperCase() !== 'AUTH=') return this.fail(CURLE.URL_MALFORMAT);
      if (!sasl.parseAuthOption(value)) {
        if (value.toUpperCase() !== '+APOP') return this.fail(CURLE.URL_MALFORMAT);
        sasl.prefmech = SASL_AUTH_NONE;
        apopOnly = true;
      }
    }
    if (apopOnly) this.#preftype = TYPE.APOP;
    else this.#preftype = sasl.prefmech === SASL_AUTH_NONE ? TYPE.NONE : sasl.prefmech === SASL_AUTH_DEFAULT ? TYPE.ANY : TYPE.SASL;
    this.#state = 'greet';
    return CURLE.OK;
  }

  protected perform(): CURLcode {
    if (this.#creds === null) {
      const c = this.#setup();
      if (c !== CURLE.OK) return c;
    }
    this.expectResponse();
    const listOnly = this.t.opts.num(CURLOPT.DIRLISTONLY) !== 0;
    const command = this.#id === '' || listOnly ? 'LIST' : 'RETR';
    const verb = this.#custom !== null && this.#custom !== '' ? this.#custom : command;
    this.#state = 'command';
    const line = this.#id !== '' ? `${verb} ${this.#id}` : verb;
    const single = !pop3IsMultiline(line);
    this.#bodyWanted = !single && this.t.opts.num(CURLOPT.NOBODY) === 0;
    this.#unreadBody = !this.#bodyWanted && !single;
    return this.send(line);
  }

  #bodyWanted = true;
  #unreadBody = false;

  #capa(): CURLcode {
    this.#sasl!.authmechs = 0;
    this.#tlsSupported = false;
    this.#authtypes &= TYPE.APOP;
    this.#state = 'capa';
    return this.send('CAPA');
  }

  protected override afterTls(): CURLcode {
    return this.#capa();
  }

  #authenticate(): CURLcode {
    const sasl = this.#sasl!;
    if (!sasl.canAuthenticate()) return this.#connected();
    if (this.#authtypes & this.#preftype & TYPE.SASL) {
      const s = sasl.start(false);
      if (s.kind === 'auth') {
        this.#state = 'auth';
        return this.send(s.ir !== null ? `AUTH ${s.mech} ${s.ir}` : `AUTH ${s.mech}`);
      }
      if (s.kind === 'fail') return this.fail(s.code, s.message);
    }
    return this.#fallback('No known authentication mechanisms supported', false);
  }

  /** APOP, else USER/PASS, when SASL has nothing (left). */
  #fallback(why: string, asError: boolean): CURLcode {
    const c = this.#creds!;
    if (this.#authtypes & this.#preftype & TYPE.APOP) {
      const digest = createHash('md5').update(Buffer.from(this.#apopTimestamp! + toBytes(c.passwd), 'latin1')).digest('hex');
      this.#state = 'apop';
      return this.send(`APOP ${toBytes(c.user ?? '')} ${digest}`);
    }
    if (this.#authtypes & this.#preftype & TYPE.CLEARTEXT) {
      if (c.user === null) return this.#connected();
      this.#state = 'user';
      return this.send(`USER ${toBytes(c.user)}`);
    }
    if (asError) return this.fail(CURLE.LOGIN_DENIED, why);
    this.info(why);
    return this.fail(CURLE.LOGIN_DENIED);
  }

  #connected(): CURLcode {
    this.connected(() => 'QUIT');
    return this.perform();
  }

  protected onResponse(code: number, lines: Buffer[]): CURLcode {
    const text = lineText(lines[lines.length - 1]!);
    switch (this.#state) {
      case 'greet': {
        if (code !== RESP.OK) return this.fail(CURLE.WEIRD_SERVER_REPLY, 'Got unexpected pop3-server response');
        // an APOP timestamp "<...>" ends the greeting
        if (text.endsWith('>')) {
          const lt = text.indexOf('<', 3);
          if (lt >= 0) {
            this.#apopTimestamp = text.slice(lt);
            this.#authtypes |= TYPE.APOP;
          }
        }
        return this.#capa();
      }
      case 'capa':
        if (code === RESP.CONT) {
          // CAPA tags are case-insensitive (RFC 2449 5): "stls" offers STLS
          const tag = text.toUpperCase();
          if (tag.startsWith('STLS')) this.#tlsSupported = true;
          else if (tag.startsWith('USER')) this.#authtypes |= TYPE.CLEARTEXT;
          else if (tag.startsWith('SASL ')) {
            this.#authtypes |= TYPE.SASL;
            this.#sasl!.authmechs |= mechsFromList(text.slice(5));
          }
          return CURLE.OK;
        }
        // a server without CAPA does USER/PASS
        if (code !== RESP.OK) this.#authtypes |= TYPE.CLEARTEXT;
        if (useSsl(this.t) === CURLUSESSL.NONE || this.session.tls) return this.#authenticate();
        if (code === RESP.OK && this.#tlsSupported) {
          this.#state = 'stls';
          return this.send('STLS');
        }
        if (useSsl(this.t) <= CURLUSESSL.TRY) return this.#authenticate();
        return this.fail(CURLE.USE_SSL_FAILED, 'STLS not supported.');
      case 'stls':
        return this.startTlsAnswered(code === RESP.OK, 'STARTTLS denied', () => this.#authenticate());
      case 'auth': {
        const s = this.#sasl!.next(code, code === RESP.CONT ? text.slice(2) : '');
        switch (s.kind) {
          case 'send': return this.send(s.line);
          case 'auth': return this.send(s.ir !== null ? `AUTH ${s.mech} ${s.ir}` : `AUTH ${s.mech}`);
          case 'done': return this.#connected();
          case 'none': return this.#fallback('Authentication cancelled', true);
          case 'fail': return this.fail(s.code, s.message);
        }
        return CURLE.OK;
      }
      case 'apop':
        if (code !== RESP.OK) return this.fail(CURLE.LOGIN_DENIED, `Authentication failed: ${code}`);
        return this.#connected();
      case 'user':
        if (code !== RESP.OK) return this.fail(CURLE.LOGIN_DENIED, `Access denied. ${String.fromCharCode(code)}`);
        this.#state = 'pass';
        return this.send(`PASS ${toBytes(this.#creds!.passwd)}`);
      case 'pass':
        if (code !== RESP.OK) return this.fail(CURLE.LOGIN_DENIED, `Access denied. ${String.fromCharCode(code)}`);
        return this.#connected();
      case 'command':
        if (code !== RESP.OK) return this.fail(CURLE.WEIRD_SERVER_REPLY);
        // a multi-line answer left unread (NOBODY) would be taken for the next transfer's
        if (!this.#bodyWanted) return this.complete(!this.#unreadBody);
        this.beginDotBody();
        return CURLE.OK;
    }
  }

  protected override afterBody(): CURLcode {
    return this.complete(true);
  }
}

/**
 * Which POP3 commands answer with a multi-line (dot-terminated) body, alone and with arguments
 * (libcurl 8's pop3_is_multiline, RFC 1939/2449): STAT or DELE answer one line, and waiting for a
 * body after them would hang. An unknown command is taken as multi-line, as curl always did.
 */
const POP3_COMMANDS: ReadonlyArray<readonly [string, boolean, boolean]> = [
  ['APOP', false, false], ['AUTH', false, false], ['CAPA', true, true], ['DELE', false, false],
  ['LIST', true, false], ['MSG', true, true], ['NOOP', false, false], ['PASS', false, false],
  ['QUIT', false, false], ['RETR', true, true], ['RSET', false, false], ['STAT', false, false],
  ['STLS', false, false], ['TOP', true, true], ['UIDL', true, false], ['USER', false, false],
  ['UTF8', false, false], ['XTND', true, true],
];

function pop3IsMultiline(line: string): boolean {
  for (const [name, alone, withArgs] of POP3_COMMANDS) {
    if (line.length >= name.length && line.slice(0, name.length).toUpperCase() === name) {
      if (line.length === name.length) return alone;
      if (line[name.length] === ' ') return withArgs;
    }
  }
  return true;
}

const pop3Request: ProtocolHandler['request'] = (t, conn, guard): ProtocolRequest => new Pop3Request(t, conn, guard);

export const POP3_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'pop3', defaultPort: 110, protocol: CURLPROTO.POP3, flags: 0, alpn: [], request: pop3Request, connectionFit: mailConnectionFit,
});

export const POP3S_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'pop3s', defaultPort: 995, protocol: CURLPROTO.POP3S, flags: PROTOPT.SSL, alpn: [], request: pop3Request, connectionFit: mailConnectionFit,
});
