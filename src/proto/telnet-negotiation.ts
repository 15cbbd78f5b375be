// TELNET's receive side and option negotiation, sans I/O, after libcurl
// 7.88's telnet.c: telrcv() splits what the server sends into data for the
// application and commands; WILL/WONT/DO/DONT run RFC 1143's Q method
// (rec_will/rec_wont/rec_do/rec_dont, set_local_option/set_remote_option);
// a subnegotiation (IAC SB ... IAC SE, at most 512 bytes kept) asking for
// TTYPE, XDISPLOC or NEW_ENVIRON is answered from CURLOPT_TELNETOPTIONS, and
// NAWS is sent once the server agreed to it.
//
// The first negotiation byte from the server makes us send what we want
// ourselves (negotiate(), once), so a server that never negotiates (a
// non-telnet service) gets none of it. Outgoing application data has its
// IAC bytes doubled (send_telnet_data). Everything to send goes to the
// `send` sink, application data to `data`, verbose lines to `info`.
import {
  DO, DONT, IAC, NEW_ENV_VALUE, NEW_ENV_VAR, SB, SE, TELOPT, TELQUAL, WILL, WONT,
  telCmdName, telOptName, type TelnetSettings,
} from './telnet-options.js';

const NO = 0;
const YES = 1;
const WANTYES = 2;
const WANTNO = 3;
const EMPTY = 0;
const OPPOSITE = 1;

/** libcurl's SUBBUFSIZE: a longer subnegotiation is cut there. */
const SUBBUFSIZE = 512;

type RecvState = 'data' | 'cr' | 'iac' | 'will' | 'wont' | 'do' | 'dont' | 'sb' | 'se';

export interface TelnetSinks {
  /** bytes for the server */
  send(bytes: Buffer): void;
  /** application data received (a view: copy to keep) */
  data(bytes: Buffer): void;
  /** a verbose line (libcurl's infof); null when verbose is off */
  info: ((line: string) => void) | null;
}

/**
 * 7.88's sscanf(v, "%127[^,]%1[,]%127s", name, sep, value): a name of at
 * most 127 bytes up to a comma (none: the variable is left out), then, when
 * a comma follows it, a value of at most 127 bytes after any blanks, up to
 * the next blank (empty when there is none: libcurl clears it first, the
 * CVE-2021-22898 fix). Nothing but the given text can come out of it.
 */
function scanNewEnv(v: string): { name: string; value: string | null } | null {
  const name = /^[^,]{1,127}/.exec(v)?.[0];
  if (name === undefined) return null;
  if (v[name.length] !== ',') return { name, value: null };
  const rest = v.slice(name.length + 1).replace(/^[ \t\n\v\f\r]+/, '');
  return { name, value: /^[^ \t\n\v\f\r]{0,127}/.exec(rest)![0] };
}

export class TelnetNegotiation {
  readonly #s: TelnetSettings;
  readonly #out: TelnetSinks;
  readonly #us = new Uint8Array(256);
  readonly #usq = new Uint8Array(256);
  readonly #him = new Uint8Array(256);
  readonly #himq = new Uint8Array(256);
  #state: RecvState = 'data';
  #sub: number[] = [];
  #pleaseNegotiate = false;
  #negotiated = false;

  constructor(settings: TelnetSettings, sinks: TelnetSinks) {
    this.#s = settings;
    this.#out = sinks;
  }

  /** telrcv(): take bytes from the server. */
  receive(buf: Buffer): void {
    let start = -1;
    const flush = (end: number): void => {
      if (start >= 0 && end > start) this.#out.data(buf.subarray(start, end));
      start = -1;
    };
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i]!;
      switch (this.#state) {
        case 'cr':
          this.#state = 'data';
          if (c === 0) {
            flush(i); // a NUL after CR is dropped
            break;
          }
          if (start < 0) start = i;
          break;
        case 'data':
          if (c === IAC) {
            this.#state = 'iac';
            flush(i);
            break;
          }
          if (c === 0x0d) this.#state = 'cr';
          if (start < 0) start = i;
          break;
        case 'iac':
          this.#iac(c, buf, i, (at) => (start = at));
          break;
        case 'will':
        case 'wont':
        case 'do':
        case 'dont':
          this.#command(this.#state, c);
          this.#state = 'data';
          break;
        case 'sb':
          if (c === IAC) this.#state = 'se';
          else this.#accum(c);
          break;
        case 'se':
          if (c !== SE) {
            if (c !== IAC) {
              // not IAC IAC nor IAC SE: end the suboption here and take c as a command
              this.#printoption('In SUBOPTION processing, RCVD', IAC, c);
              this.#suboption(c);
              this.#state = 'iac';
              this.#iac(c, buf, i, (at) => (start = at));
              break;
            }
            this.#accum(c);
            this.#state = 'sb';
          } else {
            this.#suboption(SE);
            this.#state = 'data';
          }
          break;
      }
    }
    flush(buf.length);
    if (this.#pleaseNegotiate && !this.#negotiated) {
      // the peer negotiates, so it speaks telnet: now say what we want
      this.#negotiated = true;
      this.#negotiate();
    }
  }

  #iac(c: number, _buf: Buffer, i: number, startAt: (i: number) => void): void {
    switch (c) {
      case WILL: this.#state = 'will'; break;
      case WONT: this.#state = 'wont'; break;
      case DO: this.#state = 'do'; break;
      case DONT: this.#state = 'dont'; break;
      case SB:
        this.#sub = [];
        this.#state = 'sb';
        break;
      case IAC:
        // a doubled IAC is one data byte: start the next data run at it
        this.#state = 'data';
        startAt(i);
        break;
      default:
        this.#state = 'data';
        this.#printoption('RCVD', IAC, c);
        break;
    }
  }

  #accum(c: number): void {
    if (this.#sub.length < SUBBUFSIZE) this.#sub.push(c);
  }

  /** Application data for the server, IAC doubled. */
  encodeData(data: Buffer): Buffer {
    if (!data.includes(IAC)) return data;
    const out: number[] = [];
    for (const b of data) {
      out.push(b);
      if (b === IAC) out.push(IAC);
    }
    return Buffer.from(out);
  }

  #command(kind: 'will' | 'wont' | 'do' | 'dont', option: number): void {
    const cmd = { will: WILL, wont: WONT, do: DO, dont: DONT }[kind];
    this.#printoption('RCVD', cmd, option);
    this.#pleaseNegotiate = true;
    if (kind === 'will') this.#recWill(option);
    else if (kind === 'wont') this.#recWont(option);
    else if (kind === 'do') this.#recDo(option);
    else this.#recDont(option);
  }

  #negotiate(): void {
    for (let i = 0; i < 40; i++) {
      if (i === TELOPT.ECHO) continue;
      if (this.#s.usPreferred.has(i)) this.#setLocal(i, YES);
      if (this.#s.himPreferred.has(i)) this.#setRemote(i, YES);
    }
  }

  #sendNegotiation(cmd: number, option: number): void {
    this.#out.send(Buffer.from([IAC, cmd, option]));
    this.#printoption('SENT', cmd, option);
  }

  #setRemote(option: number, want: number): void {
    const him = this.#him;
    const q = this.#himq;
    if (want === YES) {
      if (him[option] === NO) {
        him[option] = WANTYES;
        this.#sendNegotiation(DO, option);
      } else if (him[option] === WANTNO) {
        if (q[option] === EMPTY) q[option] = OPPOSITE;
      } else if (him[option] === WANTYES && q[option] === OPPOSITE) q[option] = EMPTY;
    } else if (him[option] === YES) {
      him[option] = WANTNO;
      this.#sendNegotiation(DONT, option);
    } else if (him[option] === WANTNO) {
      if (q[option] === OPPOSITE) q[option] = EMPTY;
    } else if (him[option] === WANTYES && q[option] === EMPTY) q[option] = OPPOSITE;
  }

  #setLocal(option: number, want: number): void {
    const us = this.#us;
    const q = this.#usq;
    if (want === YES) {
      if (us[option] === NO) {
        us[option] = WANTYES;
        this.#sendNegotiation(WILL, option);
      } else if (us[option] === WANTNO) {
        if (q[option] === EMPTY) q[option] = OPPOSITE;
      } else if (us[option] === WANTYES && q[option] === OPPOSITE) q[option] = EMPTY;
    } else if (us[option] === YES) {
      us[option] = WANTNO;
      this.#sendNegotiation(WONT, option);
    } else if (us[option] === WANTNO) {
      if (q[option] === OPPOSITE) q[option] = EMPTY;
    } else if (us[option] === WANTYES && q[option] === EMPTY) q[option] = OPPOSITE;
  }

  #recWill(option: number): void {
    const him = this.#him;
    const q = this.#himq;
    switch (him[option]) {
      case NO:
        if (this.#s.himPreferred.has(option)) {
          him[option] = YES;
          this.#sendNegotiation(DO, option);
        } else this.#sendNegotiation(DONT, option);
        break;
      case WANTNO:
        // DONT answered by WILL
        if (q[option] === EMPTY) him[option] = NO;
        else {
          him[option] = YES;
          q[option] = EMPTY;
        }
        break;
      case WANTYES:
        if (q[option] === EMPTY) him[option] = YES;
        else {
          him[option] = WANTNO;
          q[option] = EMPTY;
          this.#sendNegotiation(DONT, option);
        }
        break;
    }
  }

  #recWont(option: number): void {
    const him = this.#him;
    const q = this.#himq;
    switch (him[option]) {
      case YES:
        him[option] = NO;
        this.#sendNegotiation(DONT, option);
        break;
      case WANTNO:
        if (q[option] === EMPTY) him[option] = NO;
        else {
          him[option] = WANTYES;
          q[option] = EMPTY;
          this.#sendNegotiation(DO, option);
        }
        break;
      case WANTYES:
        him[option] = NO;
        q[option] = EMPTY;
        break;
    }
  }

  #recDo(option: number): void {
    const us = this.#us;
    const q = this.#usq;
    // NAWS is the one option libcurl has data to send for once agreed (subnegotiation[NAWS] = YES)
    const sub = option === TELOPT.NAWS;
    switch (us[option]) {
      case NO:
        if (this.#s.usPreferred.has(option) || sub) {
          us[option] = YES;
          this.#sendNegotiation(WILL, option);
          if (sub) this.#sendNaws();
        } else this.#sendNegotiation(WONT, option);
        break;
      case WANTNO:
        // DONT answered by WILL
        if (q[option] === EMPTY) us[option] = NO;
        else {
          us[option] = YES;
          q[option] = EMPTY;
        }
        break;
      case WANTYES:
        if (q[option] === EMPTY) {
          us[option] = YES;
          if (sub) this.#sendNaws();
        } else {
          us[option] = WANTNO;
          // libcurl 7.88 clears himq here (a slip kept for fidelity of what is sent)
          this.#himq[option] = EMPTY;
          this.#sendNegotiation(WONT, option);
        }
        break;
    }
  }

  #recDont(option: number): void {
    const us = this.#us;
    const q = this.#usq;
    switch (us[option]) {
      case YES:
        us[option] = NO;
        this.#sendNegotiation(WONT, option);
        break;
      case WANTNO:
        if (q[option] === EMPTY) us[option] = NO;
        else {
          us[option] = WANTYES;
          q[option] = EMPTY;
          this.#sendNegotiation(WILL, option);
        }
        break;
      case WANTYES:
        us[option] = NO;
        q[option] = EMPTY;
        break;
    }
  }

  /** sendsuboption(NAWS): the window size in network order, IAC doubled in it. */
  #sendNaws(): void {
    const size = Buffer.alloc(4);
    size.writeUInt16BE(this.#s.wsx, 0);
    size.writeUInt16BE(this.#s.wsy, 2);
    this.#printsub('>', [TELOPT.NAWS, ...size, IAC, SE]);
    this.#out.send(Buffer.concat([Buffer.from([IAC, SB, TELOPT.NAWS]), this.encodeData(size), Buffer.from([IAC, SE])]));
  }

  /** suboption(): answer what the server asked for in IAC SB ... IAC SE. */
  #suboption(last: number): void {
    const sub = this.#sub;
    this.#printsub('<', [...sub, IAC, last]);
    const opt = sub[0];
    let reply: number[] | null = null;
    if (opt === TELOPT.TTYPE || opt === TELOPT.XDISPLOC) {
      const text = opt === TELOPT.TTYPE ? this.#s.ttype : this.#s.xdisploc;
      reply = [IAC, SB, opt, TELQUAL.IS, ...Buffer.from(text, 'latin1'), IAC, SE];
    } else if (opt === TELOPT.NEW_ENVIRON) {
      reply = [IAC, SB, opt, TELQUAL.IS];
      for (const v of this.#s.vars) {
        // a variable is added only while it fits libcurl's 2048-byte buffer (judged by its whole text)
        if (reply.length + v.length + 1 >= 2048 - 6) continue;
        const nv = scanNewEnv(v);
        if (nv === null) continue;
        reply.push(NEW_ENV_VAR, ...Buffer.from(nv.name, 'latin1'));
        if (nv.value !== null) reply.push(NEW_ENV_VALUE, ...Buffer.from(nv.value, 'latin1'));
      }
      reply.push(IAC, SE);
    }
    if (reply === null) return;
    this.#out.send(Buffer.from(reply));
    this.#printsub('>', reply.slice(2));
  }

  #printoption(direction: string, cmd: number, option: number): void {
    const info = this.#out.info;
    if (!info) return;
    if (cmd === IAC) {
      const name = telCmdName(option);
      info(name ? `${direction} IAC ${name}` : `${direction} IAC ${option}`);
      return;
    }
    const fmt = cmd === WILL ? 'WILL' : cmd === WONT ? 'WONT' : cmd === DO ? 'DO' : cmd === DONT ? 'DONT' : null;
    if (!fmt) return info(`${direction} ${cmd} ${option}`);
    const opt = telOptName(option) ?? (option === TELOPT.EXOPL ? 'EXOPL' : null);
    info(opt ? `${direction} ${fmt} ${opt}` : `${direction} ${fmt} ${option}`);
  }

  /** printsub(): the subnegotiation in libcurl's words, one infof() (line) per piece. */
  #printsub(direction: '<' | '>', p: number[]): void {
    const info = this.#out.info;
    if (!info) return;
    let length = p.length;
    info(`${direction === '<' ? 'RCVD' : 'SENT'} IAC SB `);
    if (length >= 3) {
      const i = p[length - 2]!;
      const j = p[length - 1]!;
      if (i !== IAC || j !== SE) {
        info('(terminated by ');
        info(`${telOptName(i) ?? telCmdName(i) ?? i} `);
        info(`${telOptName(j) ?? telCmdName(j) ?? j}`);
        info(', not IAC SE) ');
      }
    }
    length -= 2;
    if (length < 1) return info('(Empty suboption?)');
    const opt = p[0]!;
    const name = telOptName(opt);
    if (name === null) info(`${opt} (unknown)`);
    else if (opt === TELOPT.TTYPE || opt === TELOPT.XDISPLOC || opt === TELOPT.NEW_ENVIRON || opt === TELOPT.NAWS) info(name);
    else info(`${name} (unsupported)`);
    if (opt === TELOPT.NAWS) {
      if (length > 4) info(`Width: ${(p[1]! << 8) | p[2]!} ; Height: ${(p[3]! << 8) | p[4]!}`);
      return;
    }
    const qual = { [TELQUAL.IS]: ' IS', [TELQUAL.SEND]: ' SEND', [TELQUAL.INFO]: ' INFO/REPLY', [TELQUAL.NAME]: ' NAME' }[p[1] ?? -1];
    if (qual) info(qual);
    if (opt === TELOPT.TTYPE || opt === TELOPT.XDISPLOC) {
      info(` "${Buffer.from(p.slice(2, length)).toString('latin1')}"`);
    } else if (opt === TELOPT.NEW_ENVIRON) {
      if (p[1] === TELQUAL.IS) {
        info(' ');
        for (let k = 3; k < length; k++) info(p[k] === NEW_ENV_VAR ? ', ' : p[k] === NEW_ENV_VALUE ? ' = ' : String.fromCharCode(p[k]!));
      }
    } else {
      for (let k = 2; k < length; k++) info(` ${p[k]!.toString(16).padStart(2, '0')}`);
    }
  }
}
