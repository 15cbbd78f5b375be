// The tool's HTTP Message Signatures flags (curl 8.22): --httpsig-algo,
// --httpsig-key, --httpsig-keyid and --httpsig-headers. Any one of them turns
// signing on, with ed25519 unless --httpsig-algo names hmac-sha256; key and
// key id are then both required (curl's test 5008: exit 2 before anything
// is sent). The component list goes to the library as given, which refuses
// a bad one with CURLE_BAD_FUNCTION_ARGUMENT (exit 43, tests 5019 and 5020).
import { CURLHTTPSIG } from '../auth/httpsig.js';
import type { OptEntry } from './args.js';
import { ParamError } from './param-error.js';

const ALGORITHMS: Readonly<Record<string, number>> = { 'ed25519': CURLHTTPSIG.ED25519, 'hmac-sha256': CURLHTTPSIG.HMAC_SHA256 };
const FLAGS = new Set(['httpsig-algo', 'httpsig-key', 'httpsig-keyid', 'httpsig-headers']);

export type HttpSigSet = (opt: string, value: unknown, flag: OptEntry) => void;

/** Collects the four flags of one operation group; flush() checks them and sets the options. */
export class HttpSigFlags {
  readonly #given = new Map<string, OptEntry>();

  /** Takes the entry when it is one of the --httpsig-* flags (the last use of each wins). */
  take(e: OptEntry): boolean {
    if (!FLAGS.has(e.opt.long)) return false;
    if (e.opt.long === 'httpsig-algo' && ALGORITHMS[String(e.value).toLowerCase()] === undefined) {
      // "Any other value causes curl to exit with an error"
      throw ParamError.option(e.given, 'BAD_USE', 2, [`unsupported --httpsig-algo '${String(e.value)}': use ed25519 or hmac-sha256`]);
    }
    this.#given.set(e.opt.long, e);
    return true;
  }

  flush(set: HttpSigSet): void {
    const first = this.#given.values().next().value;
    if (first === undefined) return;
    const key = this.#given.get('httpsig-key');
    const keyid = this.#given.get('httpsig-keyid');
    if (!key || !keyid) {
      throw new ParamError([`HTTP Message Signatures need both --httpsig-key and --httpsig-keyid`], 2);
    }
    const algo = this.#given.get('httpsig-algo');
    const headers = this.#given.get('httpsig-headers');
    set('HTTPSIG_KEY', String(key.value), key);
    set('HTTPSIG_KEYID', String(keyid.value), keyid);
    if (headers) set('HTTPSIG_HEADERS', String(headers.value), headers);
    set('HTTPSIG_ALGORITHM', algo ? ALGORITHMS[String(algo.value).toLowerCase()]! : CURLHTTPSIG.ED25519, algo ?? first);
  }
}
