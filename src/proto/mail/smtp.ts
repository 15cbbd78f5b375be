// SMTP and SMTPS (libcurl's smtp.c, RFC 5321): send a message (MAIL FROM,
// RCPT TO for each MAIL_RCPT, DATA with the upload dot-stuffed), or run a
// command (VRFY for a recipient, CUSTOMREQUEST such as EXPN or HELP) whose
// reply lines are the body.
//
// Theory of operation. Connect phase: the 220 greeting, EHLO (HELO when EHLO
// is refused and TLS is not required), STARTTLS per USE_SSL then EHLO again,
// then SASL when the server offers AUTH and there are credentials. The DO
// phase sends the command or the mail transaction; the upload runs between
// 354 and the final 250. The connection stays for the next transfer and says
// QUIT when it closes (Connection.farewell, libcurl's smtp_disconnect).
import { CURLE, type CURLcode } from '../../codes.js';
import { CURLOPT } from '../../easy/option-table.js';
import { CURLPROTO } from '../../constants.js';
import { CLIENTWRITE } from '../../cw/client-write.js';
import type { ClientReader } from '../../cr/client-reader.js';
import { PROTOPT, type ProtocolHandler, type ProtocolRequest } from '../handler.js';
import { threeDigitCode, lineText } from '../pingpong.js';
import { SaslSession } from '../../auth/sasl.js';
import { mechsFromList } from '../../auth/sasl-mechs.js';
import { toBytes, urlDecode } from '../../url/url-bytes.js';
import { MailRequest } from './mail-request.js';
import { CURLUSESSL, loginOptions, mailConnectionFit, mailCredentials, mailSasl, useSsl } from './mail-common.js';
import { mailBody, wantsUpload } from './mail-upload.js';
import { DotStuffer, lfToCrlf } from './dot-body.js';
import { hostname } from 'node:os';

/** Curl_gethostname(): the host name up to its first dot; "localhost" when there is none. */
function machineName(): string {
  return hostname().split('.')[0] || 'localhost';
}

type State = 'greet' | 'ehlo' | 'helo' | 'starttls' | 'auth' | 'command' | 'mail' | 'rcpt' | 'data' | 'postdata';

/** SMTP's SASL numbers: 334 continues, 235 succeeds; "AUTH " + mech + " " + ir + CRLF in 512 bytes. */
const SMTP_SASL = { contcode: 334, finalcode: 235, maxirlen: 512 - 8 };

/** The most "NNN-" lines one reply may have (pingpong's own cap counts lines of one response; these come singly). */
const MAX_CONTINUATION_LINES = 10_000;

/**
 * smtp_parse_address: "<local@host>" or "local@host" into its parts (the brackets dropped). After a
 * closing bracket, the rest is a suffix of ESMTP parameters ("<a@b> NOTIFY=SUCCESS") sent after the
 * address, as libcurl 8 does.
 */
function parseAddress(fqma: string): { address: string; host: string | null; suffix: string } {
  let dup = fqma.startsWith('<') ? fqma.slice(1) : fqma;
  let suffix = '';
  if (!fqma.startsWith('<')) {
    if (dup.endsWith('>')) dup = dup.slice(0, -1);
  } else {
    const close = dup.indexOf('>');
    if (close >= 0) {
      suffix = dup.slice(close + 1);
      dup = dup.slice(0, close);
    }
  }
  const at = dup.indexOf('@');
  return at < 0 ? { address: dup, host: null, suffix } : { address: dup.slice(0, at), host: dup.slice(at + 1), suffix };
}

/** Only ASCII bytes (Curl_is_ASCII_name): no SMTPUTF8 needed. */
function isAscii(s: string): boolean {
  return !/[^\x00-\x7f]/.test(s);
}

function bracketed(fqma: string): string {
  const a = parseAddress(fqma);
  return (a.host !== null ? `<${a.address}@${a.host}>` : `<${a.address}>`) + a.suffix;
}

class SmtpRequest extends MailRequest {
  protected implicitTls: boolean;
  #state: State = 'greet';
  #sasl: SaslSession | null = null;
  /** EHLO's argument: the URL's path, else this machine's name (Curl_gethostname: up to the first dot), as curl 7.88 */
  #domain = machineName();
  #tlsSupported = false;
  #authSupported = false;
  #sizeSupported = false;
  #utf8Supported = false;
  #rcpts: string[] = [];
  #rcptIndex = 0;
  #rcptHadOk = false;
  #rcptLastError = 0;
  #custom: string | null = null;
  #size = -1;
  #authenticated = false;
  #contLines = 0;

  constructor(...args: ConstructorParameters<typeof MailRequest>) {
    super(...args);
    this.implicitTls = this.t.handler!.flags & PROTOPT.SSL ? true : false;
  }

  /**
   * smtp_endofresp: "NNN " ends a reply, and so does a line of exactly five
   * bytes ("NNN\r\n"; libcurl's len == 5, so "NNN\n" does not); "NNN-" lines
   * are seen one by one in EHLO and commands (code 1). Lines shorter than
   * four bytes never end a reply (CVE-2019-3823 read past those).
   */
  protected endOfResponse = (line: Buffer): number | null => {
    const code = threeDigitCode(line);
    if (code < 0 || line.length < 4) return null;
    if (line[3] === 0x20 || line.length === 5) return code === 1 ? 0 : code;
    if (line[3] === 0x2d && (this.#state === 'ehlo' || this.#state === 'command')) return 1;
    return null;
  };

  /** Domain (the URL's path) and options before any byte goes out. */
  #setup(): CURLcode {
    const path = this.t.url!.path;
    const q = path.indexOf('?');
    const raw = (q < 0 ? path : path.slice(0, q)).slice(1);
    if (raw !== '') {
      const d = urlDecode(raw, true);
      if (d === null) return this.fail(CURLE.URL_MALFORMAT, 'URL decode error');
      this.#domain = d;
    }
    const custom = this.t.opts.str(CURLOPT.CUSTOMREQUEST);
    if (custom !== null) {
      const d = urlDecode(toBytes(custom), true);
      if (d === null) return this.fail(CURLE.URL_MALFORMAT, 'URL decode error');
      this.#custom = d;
    }
    this.#rcpts = ((this.t.opts.get(CURLOPT.MAIL_RCPT) as string[] | null) ?? []).map(toBytes);
    return CURLE.OK;
  }

  protected connect(): CURLcode {
    const c = this.#setup();
    if (c !== CURLE.OK) return c;
    const cr = mailCredentials(this.t);
    if (cr.code !== CURLE.OK) return this.fail(cr.code, cr.message);
    this.#sasl = mailSasl(this.t, SMTP_SASL, cr.creds);
    for (const { key, value } of loginOptions(this.t)) {
      if (key.toUpperCase() !== 'AUTH=' || !this.#sasl.parseAuthOption(value)) return this.fail(CURLE.URL_MALFORMAT);
    }
    this.#state = 'greet';
    return CURLE.OK;
  }

  protected perform(): CURLcode {
    let c = this.#setup();
    if (c !== CURLE.OK) return c;
    this.#authenticated = this.session.saslUsed;
    if (wantsUpload(this.t) && this.#rcpts.length > 0) c = this.#mail();
    else c = this.#command();
    this.expectResponse();
    return c;
  }

  #ehlo(): CURLcode {
    this.#sasl!.authmechs = 0;
    this.#tlsSupported = false;
    this.#authSupported = false;
    this.#utf8Supported = false;
    this.#state = 'ehlo';
    return this.send(`EHLO ${this.#domain}`);
  }

  protected override afterTls(): CURLcode {
    return this.#ehlo();
  }

  #authenticate(): CURLcode {
    const sasl = this.#sasl!;
    if (!this.#authSupported || !sasl.canAuthenticate()) return this.#connected();
    const s = sasl.start(false);
    if (s.kind === 'auth') {
      this.#state = 'auth';
      return this.send(s.ir !== null ? `AUTH ${s.mech} ${s.ir}` : `AUTH ${s.mech}`);
    }
    if (s.kind === 'fail') return this.fail(s.code, s.message);
    this.info('No known authentication mechanisms supported');
    return this.fail(CURLE.LOGIN_DENIED);
  }

  #connected(): CURLcode {
    this.connected(() => 'QUIT');
    this.session.saslUsed = this.#authenticated;
    return this.perform();
  }

  #command(): CURLcode {
    this.#state = 'command';
    const rcpt = this.#rcpts[this.#rcptIndex];
    if (rcpt !== undefined) {
      if (this.#custom === null || this.#custom === '') {
        const a = parseAddress(rcpt);
        // RFC 6531: say SMTPUTF8 when the mailbox needs it and the server has it
        const utf8 = this.#utf8Supported && !isAscii(a.address + (a.host ?? '')) ? ' SMTPUTF8' : '';
        return this.send(`VRFY ${a.address}${a.host !== null ? '@' + a.host : ''}${utf8}`);
      }
      const utf8 = this.#utf8Supported && this.#custom === 'EXPN' ? ' SMTPUTF8' : '';
      return this.send(`${this.#custom} ${rcpt}${utf8}`);
    }
    return this.send(this.#custom !== null && this.#custom !== '' ? this.#custom : 'HELP');
  }

  #mail(): CURLcode {
    const o = this.t.opts;
    const r = mailBody(this.t, this.guard);
    if (r.code !== CURLE.OK) return this.fail(r.code, r.message);
    this.#upload = r.body!;
    this.#size = r.body!.size;
    this.t.uploadLength = this.#size;
    const fromOpt = o.str(CURLOPT.MAIL_FROM);
    const from = fromOpt !== null ? bracketed(toBytes(fromOpt)) : '<>';
    const authOpt = o.str(CURLOPT.MAIL_AUTH);
    let auth = '';
    if (authOpt !== null && this.#authenticated) auth = ' AUTH=' + (authOpt !== '' ? bracketed(toBytes(authOpt)) : '<>');
    const size = this.#sizeSupported && this.#size > 0 ? ` SIZE=${this.#size}` : '';
    const utf8 = this.#utf8Supported && !isAscii(from + auth + this.#rcpts.join('')) ? ' SMTPUTF8' : '';
    this.#state = 'mail';
    return this.send(`MAIL FROM:${from}${auth}${size}${utf8}`);
  }

  #upload: { reader: ClientReader; size: number } | null = null;

  #rcptTo(): CURLcode {
    this.#state = 'rcpt';
    return this.send(`RCPT TO:${bracketed(this.#rcpts[this.#rcptIndex]!)}`);
  }

  protected onResponse(code: number, lines: Buffer[]): CURLcode {
    const last = lines[lines.length - 1]!;
    // "NNN-" lines come one by one: a server that never ends its reply is cut off
    if (code !== 1) {
      this.#contLines = 0;
      // smtp_statemachine keeps every reply's code (not QUIT's, said by the connection's farewell) as CURLINFO_RESPONSE_CODE
      this.t.responseCode = code;
    } else if (++this.#contLines > MAX_CONTINUATION_LINES) return this.fail(CURLE.WEIRD_SERVER_REPLY, 'Excessive server response: too many lines');
    switch (this.#state) {
      case 'greet':
        if (Math.floor(code / 100) !== 2) return this.fail(CURLE.WEIRD_SERVER_REPLY, `Got unexpected smtp-server response: ${code}`);
        return this.#ehlo();
      case 'ehlo':
        return this.#ehloResponse(code, last);
      case 'helo':
        if (Math.floor(code / 100) !== 2) return this.fail(CURLE.REMOTE_ACCESS_DENIED, `Remote access denied: ${code}`);
        return this.#connected();
      case 'starttls':
        return this.startTlsAnswered(code === 220, `STARTTLS denied, code ${code}`, () => this.#authenticate());
      case 'auth': {
        const s = this.#sasl!.next(code, lineText(last).slice(4));
        switch (s.kind) {
          case 'send': return this.send(s.line);
          case 'auth': return this.send(s.ir !== null ? `AUTH ${s.mech} ${s.ir}` : `AUTH ${s.mech}`);
          case 'done':
            this.#authenticated = true;
            return this.#connected();
          case 'none': return this.fail(CURLE.LOGIN_DENIED, 'Authentication cancelled');
          case 'fail': return this.fail(s.code, s.message);
        }
        return CURLE.OK;
      }
      case 'command':
        return this.#commandResponse(code, last);
      case 'mail':
        if (Math.floor(code / 100) !== 2) return this.fail(CURLE.SEND_ERROR, `MAIL failed: ${code}`);
        return this.#rcptTo();
      case 'rcpt':
        return this.#rcptResponse(code);
      case 'data': {
        if (code !== 354) return this.fail(CURLE.SEND_ERROR, `DATA failed: ${code}`);
        this.#state = 'postdata';
        const crlf = this.t.opts.num(CURLOPT.CRLF) !== 0;
        const stuffer = new DotStuffer();
        this.beginUpload(this.#upload!.reader, (b) => stuffer.stuff(crlf ? lfToCrlf(b) : b),
          () => Buffer.from(stuffer.endsWithCrlf || this.#size === 0 ? '.\r\n' : '\r\n.\r\n', 'latin1'));
        return CURLE.OK;
      }
      case 'postdata':
        if (code !== 250) return this.fail(CURLE.WEIRD_SERVER_REPLY);
        return this.complete(true);
    }
  }

  #ehloResponse(code: number, last: Buffer): CURLcode {
    if (Math.floor(code / 100) !== 2 && code !== 1) {
      if (useSsl(this.t) <= CURLUSESSL.TRY || this.session.tls) {
        this.#state = 'helo';
        return this.send(`HELO ${this.#domain}`);
      }
      return this.fail(CURLE.REMOTE_ACCESS_DENIED, `Remote access denied: ${code}`);
    }
    const text = lineText(last).slice(4);
    // EHLO keywords are case-insensitive (RFC 5321 4.1.1.1): a server saying "starttls" offers STARTTLS
    const keyword = text.toUpperCase();
    if (keyword.startsWith('STARTTLS')) this.#tlsSupported = true;
    else if (keyword.startsWith('SIZE')) this.#sizeSupported = true;
    else if (keyword.startsWith('SMTPUTF8')) this.#utf8Supported = true;
    else if (keyword.startsWith('AUTH ')) {
      this.#authSupported = true;
      this.#sasl!.authmechs |= mechsFromList(text.slice(5));
    }
    if (code === 1) return CURLE.OK;
    if (useSsl(this.t) !== CURLUSESSL.NONE && !this.session.tls) {
      if (this.#tlsSupported) {
        this.#state = 'starttls';
        return this.send('STARTTLS');
      }
      if (useSsl(this.t) === CURLUSESSL.TRY) return this.#authenticate();
      return this.fail(CURLE.USE_SSL_FAILED, 'STARTTLS not supported.');
    }
    return this.#authenticate();
  }

  #commandResponse(code: number, last: Buffer): CURLcode {
    const hasRcpt = this.#rcptIndex < this.#rcpts.length;
    if (Math.floor(code / 100) !== 2 && code !== 1 && !(hasRcpt && code === 553)) {
      return this.fail(CURLE.WEIRD_SERVER_REPLY, `Command failed: ${code}`);
    }
    if (this.t.opts.num(CURLOPT.NOBODY) === 0) {
      const c = this.t.writers.write(CLIENTWRITE.BODY, Buffer.from(lineText(last) + '\r\n', 'latin1'));
      if (typeof c === 'number' && c !== CURLE.OK) return this.fail(c);
    }
    if (code === 1) return CURLE.OK;
    if (hasRcpt && ++this.#rcptIndex < this.#rcpts.length) return this.#command();
    return this.complete(true);
  }

  #rcptResponse(code: number): CURLcode {
    const isErr = Math.floor(code / 100) !== 2;
    const allowFails = this.t.opts.num(CURLOPT.MAIL_RCPT_ALLOWFAILS) !== 0;
    if (isErr) {
      this.#rcptLastError = code;
      if (!allowFails) return this.fail(CURLE.SEND_ERROR, `RCPT failed: ${code}`);
    } else {
      this.#rcptHadOk = true;
    }
    if (++this.#rcptIndex < this.#rcpts.length) return this.#rcptTo();
    if (!this.#rcptHadOk) return this.fail(CURLE.SEND_ERROR, `RCPT failed: ${this.#rcptLastError} (last error)`);
    this.#state = 'data';
    return this.send('DATA');
  }
}

const smtpRequest: ProtocolHandler['request'] = (t, conn, guard): ProtocolRequest => new SmtpRequest(t, conn, guard);

export const SMTP_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'smtp',
  defaultPort: 25,
  protocol: CURLPROTO.SMTP,
  flags: 0,
  alpn: [],
  request: smtpRequest,
  connectionFit: mailConnectionFit,
});

export const SMTPS_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'smtps',
  defaultPort: 465,
  protocol: CURLPROTO.SMTPS,
  flags: PROTOPT.SSL,
  alpn: [],
  request: smtpRequest,
  connectionFit: mailConnectionFit,
});
