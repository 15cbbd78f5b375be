// The tool's TLS flags that do not map one to one onto an option, folded as
// curl's tool does: -E "file:password" (tool_getparam.c parse_cert_parameter)
// and --pass feed KEYPASSWD (the last one wins); --tlsv1.x and --tls-max make
// one CURLOPT_SSLVERSION value; the SSL_OPTIONS bits come from several flags.
import { CURL_SSLVERSION, CURLSSLOPT } from '../constants.js';
import type { OptEntry } from './args.js';
import { ParamError } from './param-error.js';

/** Split "certificate[:password]", honouring "\:" and "\\" escapes; a pkcs11: URI stays whole. */
export function parseCertParameter(param: string): { cert: string; password?: string } {
  if (param.toLowerCase().startsWith('pkcs11:') || !/[:\\]/.test(param)) return { cert: param };
  let cert = '';
  for (let i = 0; i < param.length; i++) {
    const ch = param[i]!;
    if (ch === '\\') {
      const next = param[i + 1];
      if (next === undefined) cert += '\\';
      else if (next === '\\' || next === ':') { cert += next; i++; }
      else { cert += '\\' + next; i++; }
    } else if (ch === ':') {
      const rest = param.slice(i + 1);
      return rest ? { cert, password: rest } : { cert };
    } else {
      cert += ch;
    }
  }
  return { cert };
}

const MIN_VERSION: Readonly<Record<string, number>> = {
  'tlsv1': CURL_SSLVERSION.TLSv1, 'tlsv1.0': CURL_SSLVERSION.TLSv1_0, 'tlsv1.1': CURL_SSLVERSION.TLSv1_1,
  'tlsv1.2': CURL_SSLVERSION.TLSv1_2, 'tlsv1.3': CURL_SSLVERSION.TLSv1_3,
};
const MAX_VERSION: Readonly<Record<string, number>> = {
  'default': CURL_SSLVERSION.MAX_DEFAULT, '1.0': CURL_SSLVERSION.MAX_TLSv1_0, '1.1': CURL_SSLVERSION.MAX_TLSv1_1,
  '1.2': CURL_SSLVERSION.MAX_TLSv1_2, '1.3': CURL_SSLVERSION.MAX_TLSv1_3,
};
const SSL_OPTION_BITS: Readonly<Record<string, number>> = {
  'ssl-allow-beast': CURLSSLOPT.ALLOW_BEAST, 'ssl-no-revoke': CURLSSLOPT.NO_REVOKE,
  'ssl-revoke-best-effort': CURLSSLOPT.REVOKE_BEST_EFFORT, 'ca-native': CURLSSLOPT.NATIVE_CA,
  'ssl-auto-client-cert': CURLSSLOPT.AUTO_CLIENT_CERT,
};

export type TlsSet = (opt: string, value: unknown, flag: OptEntry) => void;

/**
 * Collects the TLS flags of one operation group; flush() sets the options.
 * One instance reads the origin's flags (--cert, --tlsv1.2, ...), another the
 * HTTPS proxy's (--proxy-cert, --proxy-tlsv1, ...), which set the PROXY_ twins.
 */
export class TlsFlags {
  /** '' or 'proxy-' */
  readonly #flag: string;
  /** '' or 'PROXY_' */
  readonly #opt: string;
  #password: { value: string; flag: OptEntry } | undefined;
  #min: { value: number; flag: OptEntry } | undefined;
  #max: { value: number; flag: OptEntry } | undefined;
  #sslOptions = new Map<string, { on: boolean; flag: OptEntry }>();

  constructor(proxy = false) {
    this.#flag = proxy ? 'proxy-' : '';
    this.#opt = proxy ? 'PROXY_' : '';
  }

  /** Takes the flag if it is one of ours; false otherwise. */
  take(e: OptEntry, set: TlsSet): boolean {
    if (!e.opt.long.startsWith(this.#flag)) return false;
    const name = e.opt.long.slice(this.#flag.length);
    // the proxy has one TLS version flag, --proxy-tlsv1, and no --proxy-tls-max
    if (this.#flag && (name.startsWith('tlsv1.') || name === 'tls-max')) return false;
    if (name === 'cert') {
      const c = parseCertParameter(String(e.value));
      set(`${this.#opt}SSLCERT`, c.cert, e);
      if (c.password !== undefined) this.#password = { value: c.password, flag: e };
      return true;
    }
    if (name === 'pass') {
      this.#password = { value: String(e.value), flag: e };
      return true;
    }
    if (name in MIN_VERSION) {
      this.#min = { value: MIN_VERSION[name]!, flag: e };
      return true;
    }
    if (name === 'tls-max') {
      const v = MAX_VERSION[String(e.value)];
      if (v === undefined) throw ParamError.option(e.given, 'BAD_USE');
      this.#max = { value: v, flag: e };
      return true;
    }
    if (name in SSL_OPTION_BITS) {
      this.#sslOptions.set(name, { on: e.value === true, flag: e });
      return true;
    }
    return false;
  }

  flush(set: TlsSet): void {
    if (this.#password) set(`${this.#opt}KEYPASSWD`, this.#password.value, this.#password.flag);
    if (this.#min || this.#max) {
      set(`${this.#opt}SSLVERSION`, (this.#min?.value ?? 0) | (this.#max?.value ?? 0), (this.#max ?? this.#min)!.flag);
    }
    if (this.#sslOptions.size) {
      let mask = 0;
      for (const [name, { on }] of this.#sslOptions) if (on) mask |= SSL_OPTION_BITS[name]!;
      set(`${this.#opt}SSL_OPTIONS`, mask, [...this.#sslOptions.values()][0]!.flag);
    }
  }
}
