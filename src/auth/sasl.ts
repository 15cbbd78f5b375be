// The SASL dialogue shared by IMAP, POP3 and SMTP (libcurl's curl_sasl.c).
// Sans-I/O: the protocol parses its server replies into (code, text) pairs
// and feeds them in; the dialogue answers with what to send next.
//
// Theory of operation. The protocol learns which mechanisms the server offers
// (its capability reply) into `authmechs`; LOGIN_OPTIONS' "AUTH=" values set
// `prefmech`. start() picks the strongest mechanism both allow and the
// credentials can serve (EXTERNAL without a password, then CRAM-MD5,
// NTLM, OAUTHBEARER and XOAUTH2 with a bearer token, PLAIN, LOGIN), possibly with
// an initial response (SASL_IR, or the protocol forcing one). Each server
// reply then goes to next(): a continuation ("334"/"+") gets the next message,
// the protocol's final success code ends it; anything else is
// CURLE_LOGIN_DENIED. A challenge that does not decode cancels the exchange
// ("*") and, after the server's answer to that, the mechanism is dropped and
// the next one tried, as libcurl does.
import { CURLE, type CURLcode } from '../codes.js';
import {
  SASL_AUTH_DEFAULT, SASL_AUTH_NONE, SASL_MECH, decodeMech, mechName,
  plainMessage, loginMessage, externalMessage, cramMd5Message, xoauth2Message, oauthBearerMessage,
} from './sasl-mechs.js';
import { NtlmConnState, decodeType2, ntlmType1, ntlmType3, systemNtlmEnvironment, type NtlmEnvironment } from './ntlm.js';

/** What a protocol tells the dialogue about itself (libcurl's struct SASLproto). */
export interface SaslParams {
  /** the reply code of a continuation (SMTP 334; the protocols' own codes for IMAP '+', POP3 '+ ') */
  contcode: number;
  /** the reply code of a successful end (SMTP 235, IMAP OK, POP3 +OK) */
  finalcode: number;
  /** longest "AUTH mech ir" command the protocol allows with an initial response; 0: no limit */
  maxirlen: number;
}

export interface SaslCredentials {
  /** null: no user name given at all (libcurl's aptr.user) */
  user: string | null;
  passwd: string;
  /** SASL_AUTHZID: PLAIN's authorization identity */
  authzid: string;
  /** XOAUTH2_BEARER */
  bearer: string | null;
  host: string;
  port: number;
}

/** What the protocol sends next. */
export type SaslStep =
  /** "AUTH <mech> [<ir>]" (SMTP, POP3) or "AUTHENTICATE <mech> [<ir>]" (IMAP); ir is base64 */
  | { kind: 'auth'; mech: string; ir: string | null }
  /** a client response line (base64; "" is sent as "=" already when the protocol wants that) */
  | { kind: 'send'; line: string }
  /** authentication succeeded */
  | { kind: 'done' }
  /** no mechanism fits: the protocol may try its own fallback (IMAP LOGIN, POP3 APOP/USER) */
  | { kind: 'none' }
  | { kind: 'fail'; code: CURLcode; message: string };

type State = 'stop' | 'ntlm' | 'ntlm-type2' | 'plain' | 'login' | 'login-passwd' | 'external' | 'cram-md5' | 'oauth2' | 'oauth2-resp' | 'cancel' | 'final';

/** An initial response as base64, an empty one as "=" (libcurl's build_message). */
function encode(msg: Buffer): string {
  return msg.length === 0 ? '=' : msg.toString('base64');
}

/** A base64 challenge ("=" for empty); null when it is not valid base64 (CURLE_BAD_CONTENT_ENCODING). */
function decodeChallenge(text: string): Buffer | null {
  const s = text.trim();
  if (s === '' || s === '=') return Buffer.alloc(0);
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(s)) return null;
  return Buffer.from(s, 'base64');
}

export class SaslSession {
  /** mechanisms the server offers */
  authmechs = 0;
  /** mechanisms the application allows (LOGIN_OPTIONS) */
  prefmech = SASL_AUTH_DEFAULT;
  /** the first "AUTH=" option replaces the default instead of adding to it */
  #resetprefs = true;
  #authused = 0;
  #forceIr = false;
  #state: State = 'stop';
  readonly #params: SaslParams;
  readonly #creds: SaslCredentials;
  readonly #saslIr: boolean;
  readonly #ntlmEnv: NtlmEnvironment;
  #ntlm: NtlmConnState | null = null;

  /** @param ntlmEnv NTLMv2's entropy and clock (tests fix them) */
  constructor(params: SaslParams, creds: SaslCredentials, saslIr: boolean, ntlmEnv: NtlmEnvironment = systemNtlmEnvironment) {
    this.#params = params;
    this.#creds = creds;
    this.#saslIr = saslIr;
    this.#ntlmEnv = ntlmEnv;
  }

  /** Curl_sasl_parse_url_auth_option: one "AUTH=" value; false when malformed (CURLE_URL_MALFORMED). */
  parseAuthOption(value: string): boolean {
    if (value === '') return false;
    if (this.#resetprefs) {
      this.#resetprefs = false;
      this.prefmech = SASL_AUTH_NONE;
    }
    if (value === '*') {
      this.prefmech = SASL_AUTH_DEFAULT;
      return true;
    }
    const d = decodeMech(value);
    if (!d.mech || d.len !== value.length) return false;
    this.prefmech |= d.mech;
    return true;
  }

  /** Curl_sasl_can_authenticate: credentials exist, or EXTERNAL needs none. */
  canAuthenticate(): boolean {
    if (this.#creds.user !== null) return true;
    return (this.authmechs & this.prefmech & SASL_MECH.EXTERNAL) !== 0;
  }

  /** The mechanism in use (for the protocol's messages). */
  get mechanism(): string {
    return mechName(this.#authused);
  }

  /** Curl_sasl_start: the first command, or 'none' when no mechanism fits. */
  start(forceIr: boolean): SaslStep {
    this.#forceIr = forceIr;
    this.#authused = 0;
    const enabled = this.authmechs & this.prefmech;
    const c = this.#creds;
    const ir = forceIr || this.#saslIr;
    let state1: State = 'stop';
    let state2: State = 'final';
    let resp: Buffer | null = null;
    if ((enabled & SASL_MECH.EXTERNAL) && c.passwd === '') {
      this.#authused = SASL_MECH.EXTERNAL;
      state1 = 'external';
      if (ir) resp = externalMessage(c.user ?? '');
    } else if (c.user !== null) {
      // DIGEST-MD5 and GSSAPI are not built: the next mechanism down is tried
      if (enabled & SASL_MECH.CRAM_MD5) {
        this.#authused = SASL_MECH.CRAM_MD5;
        state1 = 'cram-md5';
      } else if (enabled & SASL_MECH.NTLM) {
        this.#authused = SASL_MECH.NTLM;
        this.#ntlm = new NtlmConnState();
        state1 = 'ntlm';
        state2 = 'ntlm-type2';
        if (ir) resp = ntlmType1();
      } else if ((enabled & SASL_MECH.OAUTHBEARER) && c.bearer !== null) {
        this.#authused = SASL_MECH.OAUTHBEARER;
        state1 = 'oauth2';
        state2 = 'oauth2-resp';
        if (ir) resp = oauthBearerMessage(c.user, c.host, c.port, c.bearer);
      } else if ((enabled & SASL_MECH.XOAUTH2) && c.bearer !== null) {
        this.#authused = SASL_MECH.XOAUTH2;
        state1 = 'oauth2';
        if (ir) resp = xoauth2Message(c.user, c.bearer);
      } else if (enabled & SASL_MECH.PLAIN) {
        // PLAIN separates its three fields with NUL: one inside a field would move the
        // boundaries (part of the user name read as the password). A C caller cannot pass one.
        if (`${c.authzid}${c.user}${c.passwd}`.includes('\0')) {
          return { kind: 'fail', code: CURLE.BAD_FUNCTION_ARGUMENT, message: 'A NUL byte in a SASL PLAIN credential' };
        }
        this.#authused = SASL_MECH.PLAIN;
        state1 = 'plain';
        if (ir) resp = plainMessage(c.authzid, c.user, c.passwd);
      } else if (enabled & SASL_MECH.LOGIN) {
        this.#authused = SASL_MECH.LOGIN;
        state1 = 'login';
        state2 = 'login-passwd';
        if (ir) resp = loginMessage(c.user);
      }
    }
    if (!this.#authused) return { kind: 'none' };
    const mech = mechName(this.#authused);
    let irText = resp ? encode(resp) : null;
    // a command too long for the protocol goes without its initial response
    if (irText !== null && this.#params.maxirlen && mech.length + irText.length > this.#params.maxirlen) irText = null;
    this.#state = irText !== null ? state2 : state1;
    return { kind: 'auth', mech, ir: irText };
  }

  /** Curl_sasl_continue: the server's reply `code` with its text after the code. */
  next(code: number, text: string): SaslStep {
    const p = this.#params;
    const c = this.#creds;
    if (this.#state === 'final') {
      this.#state = 'stop';
      return code === p.finalcode ? { kind: 'done' } : denied();
    }
    if (this.#state !== 'cancel' && this.#state !== 'oauth2-resp' && code !== p.contcode) {
      this.#state = 'stop';
      return denied();
    }
    let resp: Buffer | null = null;
    let newState: State = 'final';
    let badChallenge = false;
    switch (this.#state) {
      case 'stop':
        return { kind: 'done' };
      case 'plain':
        resp = plainMessage(c.authzid, c.user ?? '', c.passwd);
        break;
      case 'ntlm':
        resp = ntlmType1();
        newState = 'ntlm-type2';
        break;
      case 'ntlm-type2': {
        const t2 = decodeChallenge(text);
        const ntlm = this.#ntlm!;
        if (t2 === null || decodeType2(t2, ntlm).code !== CURLE.OK) {
          badChallenge = true;
          break;
        }
        const t3 = ntlmType3(ntlm, Buffer.from(c.user ?? '', 'utf8'), Buffer.from(c.passwd, 'utf8'), this.#ntlmEnv);
        if (!t3.msg) return { kind: 'fail', code: t3.code, message: t3.message ?? '' };
        resp = t3.msg;
        break;
      }
      case 'login':
        resp = loginMessage(c.user ?? '');
        newState = 'login-passwd';
        break;
      case 'login-passwd':
        resp = loginMessage(c.passwd);
        break;
      case 'external':
        resp = externalMessage(c.user ?? '');
        break;
      case 'cram-md5': {
        const chlg = decodeChallenge(text);
        if (chlg === null) badChallenge = true;
        else resp = cramMd5Message(chlg, c.user ?? '', c.passwd);
        break;
      }
      case 'oauth2':
        if (this.#authused === SASL_MECH.OAUTHBEARER) {
          resp = oauthBearerMessage(c.user ?? '', c.host, c.port, c.bearer ?? '');
          newState = 'oauth2-resp';
        } else {
          resp = xoauth2Message(c.user ?? '', c.bearer ?? '');
        }
        break;
      case 'oauth2-resp':
        // the server's error report is optional: a final code ends it
        if (code === p.finalcode) {
          this.#state = 'stop';
          return { kind: 'done' };
        }
        if (code !== p.contcode) {
          this.#state = 'stop';
          return denied();
        }
        // acknowledge the error details with a 0x01 byte; the failure follows
        resp = Buffer.from([1]);
        break;
      case 'cancel':
        // the server answered the cancellation: drop that mechanism and try the next
        this.authmechs &= ~this.#authused;
        return this.start(this.#forceIr);
    }
    if (badChallenge) {
      this.#state = 'cancel';
      return { kind: 'send', line: '*' };
    }
    this.#state = newState;
    // an empty answer to a challenge is an empty line; "=" marks an empty *initial* response only
    // (RFC 4954 4, RFC 5034 4; curl cases 838/884 against 886)
    return { kind: 'send', line: resp!.length === 0 ? '' : encode(resp!) };
  }
}

function denied(): SaslStep {
  return { kind: 'fail', code: CURLE.LOGIN_DENIED, message: '' };
}
