// TELNET's names and CURLOPT_TELNETOPTIONS, after libcurl 7.88's telnet.c
// and arpa_telnet.h (Debian's 7.88.1 with the CVE-2023-27533 fix: option
// arguments with a non-ASCII byte are skipped, a non-ASCII user name is
// CURLE_BAD_FUNCTION_ARGUMENT, so nothing the application passes can carry
// an IAC into the negotiation).
import { CURLE, easyStrerror, type CURLcode } from '../codes.js';

export const IAC = 255;
export const DONT = 254;
export const DO = 253;
export const WONT = 252;
export const WILL = 251;
export const SB = 250;
export const SE = 240;

export const TELOPT = {
  BINARY: 0, ECHO: 1, SGA: 3, EXOPL: 255, TTYPE: 24, NAWS: 31, XDISPLOC: 35, NEW_ENVIRON: 39,
} as const;
export const TELQUAL = { IS: 0, SEND: 1, INFO: 2, NAME: 3 } as const;
export const NEW_ENV_VAR = 0;
export const NEW_ENV_VALUE = 1;

/** arpa_telnet.h's telopts[]: names of options 0..39 (CURL_TELOPT_OK). */
export const TELOPT_NAMES = [
  'BINARY', 'ECHO', 'RCP', 'SUPPRESS GO AHEAD', 'NAME', 'STATUS', 'TIMING MARK', 'RCTE', 'NAOL', 'NAOP',
  'NAOCRD', 'NAOHTS', 'NAOHTD', 'NAOFFD', 'NAOVTS', 'NAOVTD', 'NAOLFD', 'EXTEND ASCII', 'LOGOUT', 'BYTE MACRO',
  'DE TERMINAL', 'SUPDUP', 'SUPDUP OUTPUT', 'SEND LOCATION', 'TERM TYPE', 'END OF RECORD', 'TACACS UID',
  'OUTPUT MARKING', 'TTYLOC', '3270 REGIME', 'X3 PAD', 'NAWS', 'TERM SPEED', 'LFLOW', 'LINEMODE', 'XDISPLOC',
  'OLD-ENVIRON', 'AUTHENTICATION', 'ENCRYPT', 'NEW-ENVIRON',
];
/** telnetcmds[]: the commands from 236 (EOF) to 255 (IAC) (CURL_TELCMD_OK). */
export const TELCMD_NAMES = [
  'EOF', 'SUSP', 'ABORT', 'EOR', 'SE', 'NOP', 'DMARK', 'BRK', 'IP', 'AO', 'AYT', 'EC', 'EL', 'GA', 'SB',
  'WILL', 'WONT', 'DO', 'DONT', 'IAC',
];
export const TELCMD_MIN = 236;

export const telOptName = (o: number): string | null => TELOPT_NAMES[o] ?? null;
export const telCmdName = (c: number): string | null => (c >= TELCMD_MIN ? TELCMD_NAMES[c - TELCMD_MIN]! : null);

/** What the options ask of the negotiation (libcurl's struct TELNET fields they fill). */
export interface TelnetSettings {
  /** options we want enabled on our side (us_preferred = YES) */
  usPreferred: Set<number>;
  /** options we want the server to enable (him_preferred = YES) */
  himPreferred: Set<number>;
  /** TTYPE's answer (at most 31 bytes) */
  ttype: string;
  /** XDISPLOC's answer (at most 127 bytes) */
  xdisploc: string;
  /** NEW_ENVIRON's variables, "NAME" or "NAME,VALUE" */
  vars: string[];
  /** NAWS: window width and height */
  wsx: number;
  wsy: number;
}

export type TelnetSettingsResult = { ok: true; settings: TelnetSettings } | { ok: false; code: CURLcode; message: string };

const nonAscii = (s: string): boolean => /[^\x00-\x7f]/.test(s);

/** sscanf's %hu: optional blanks and sign, digits, taken modulo 65536. */
function scanHu(s: string): { value: number; rest: string } | null {
  const m = /^\s*([+-]?)(\d+)/.exec(s);
  if (!m) return null;
  let v = Number(BigInt(m[2]!) % 65536n);
  if (m[1] === '-') v = (65536 - v) % 65536;
  return { value: v, rest: s.slice(m[0].length) };
}

/**
 * 7.88's sscanf(option, "%127[^= ]%*[ =]%255s", keyword, arg): a keyword of
 * at most 127 bytes, a run of blanks and '=', then an argument of at most
 * 255 bytes that ends at a blank; null when it does not give both (libcurl's
 * syntax error).
 */
function scanOption(option: string): { keyword: string; arg: string } | null {
  const m = /^([^= ]{1,127})[ =]+[ \t\n\v\f\r]*([^ \t\n\v\f\r]{1,255})/.exec(option);
  return m ? { keyword: m[1]!, arg: m[2]! } : null;
}

/**
 * init_telnet's defaults plus check_telnet_options(): the user name (from
 * the URL or USERPWD) as the USER variable, then each "NAME=value".
 */
export function telnetSettings(options: readonly string[], user: string | null): TelnetSettingsResult {
  const s: TelnetSettings = {
    // SGA and BINARY both ways by default; the server may echo (never asked for: negotiate() skips ECHO)
    usPreferred: new Set([TELOPT.SGA, TELOPT.BINARY]),
    himPreferred: new Set([TELOPT.SGA, TELOPT.BINARY, TELOPT.ECHO]),
    ttype: '',
    xdisploc: '',
    vars: [],
    wsx: 0,
    wsy: 0,
  };
  if (user) {
    // libcurl says no more than its CURLcode here (a debug build's "set a non ASCII user name in telnet")
    if (nonAscii(user)) return { ok: false, code: CURLE.BAD_FUNCTION_ARGUMENT, message: easyStrerror(CURLE.BAD_FUNCTION_ARGUMENT) };
    // msnprintf into a 256-byte buffer: at most 255 bytes
    s.vars.push(`USER,${user}`.slice(0, 255));
    s.usPreferred.add(TELOPT.NEW_ENVIRON);
  }
  for (const option of options) {
    const scanned = scanOption(option);
    if (!scanned) return { ok: false, code: CURLE.SETOPT_OPTION_SYNTAX, message: `Syntax error in telnet option: ${option}` };
    const name = scanned.keyword.toUpperCase();
    const arg = scanned.arg;
    if (nonAscii(arg)) continue;
    switch (name) {
      case 'TTYPE':
        s.ttype = arg.slice(0, 31);
        s.usPreferred.add(TELOPT.TTYPE);
        break;
      case 'XDISPLOC':
        s.xdisploc = arg.slice(0, 127);
        s.usPreferred.add(TELOPT.XDISPLOC);
        break;
      case 'NEW_ENV':
        s.vars.push(arg);
        s.usPreferred.add(TELOPT.NEW_ENVIRON);
        break;
      case 'WS': {
        const x = scanHu(arg);
        const sep = x ? /^[xX]+/.exec(x.rest) : null;
        const y = x && sep ? scanHu(x.rest.slice(sep[0].length)) : null;
        if (!x || !y) return { ok: false, code: CURLE.SETOPT_OPTION_SYNTAX, message: `Syntax error in telnet option: ${option}` };
        s.wsx = x.value;
        s.wsy = y.value;
        s.usPreferred.add(TELOPT.NAWS);
        break;
      }
      case 'BINARY':
        if (parseInt(arg, 10) !== 1) {
          s.usPreferred.delete(TELOPT.BINARY);
          s.himPreferred.delete(TELOPT.BINARY);
        }
        break;
      default:
        return { ok: false, code: CURLE.UNKNOWN_OPTION, message: `Unknown telnet option ${option}` };
    }
  }
  return { ok: true, settings: s };
}
