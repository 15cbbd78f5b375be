// Folds one operation group's parsed entries into what a run needs: the URL
// list paired with -o/-O like curl's getout nodes, tool-side settings, and
// the libcurl options to set (replayed on every Easy of the group). An
// option with no handler here is one the tool cannot do yet: it is reported,
// never ignored.
import { CURLOPT, CURLE, CURLFOLLOW } from '../index.js';
import { bufferToText } from '../url/url-bytes.js';
import type { OptEntry } from './args.js';
import { protoList } from './proto-list.js';
import { ParamError } from './param-error.js';
import { continueAt, uploadFlags, range, timeCondition, octalMode, delegation, ftpMethod, cccMethod } from './option-values.js';
import { SETOPT_MAP, optId } from './setopt-map.js';
import { TlsFlags } from './tls-flags.js';
import { HttpSigFlags } from './httpsig-flags.js';
import { localPortRange, sizeParameter } from './size-param.js';
import { PROTOCOLS } from './version.js';
import { secondsToMs, str2num, str2unum } from './tool-numbers.js';
import type { RetryConfig } from '../request/retry-policy.js';
import type { ClobberMode } from './output-file.js';

export interface UrlNode {
  url?: string;
  outfile?: string;
  remoteName?: boolean;
  /** -o or -O (even --no-remote-name) was given for this node: curl's GETOUT_OUTFILE */
  outSet?: boolean;
  /** --out-null (curl 8.16): the response goes nowhere */
  outNull?: boolean;
  /** -T: the local file to upload to this URL ("-" for stdin) */
  uploadFile?: string;
}

/** One libcurl option to set, remembering which flag asked for it. */
export interface SetoptStep {
  readonly id: number;
  readonly value: unknown;
  readonly flag: OptEntry;
}

export interface TransferConfig {
  readonly urls: UrlNode[];
  readonly steps: SetoptStep[];
  silent: boolean;
  showError: boolean;
  verbose: boolean;
  include: boolean;
  head: boolean;
  dumpHeader?: string;
  outputDir?: string;
  createDirs: boolean;
  writeOut?: string;
  progressBar: boolean;
  noProgressMeter: boolean;
  globoff: boolean;
  remoteNameAll: boolean;
  failEarly: boolean;
  headers: string[];
  postData?: Buffer[];
  /** --json pieces: concatenated, sent with JSON content headers. */
  jsonData?: Buffer[];
  /** -F / --form-string fields, in order (a MIMEPOST is built per transfer) */
  form?: { text: string; literal: boolean }[];
  /** the method -I/-F chose while parsing */
  httpreq?: ToolHttpReq | undefined;
  /** -G/--get: the data goes into the URL query instead. */
  useGet: boolean;
  /** With -G: the joined data to append to each URL's query. */
  getQuery?: string;
  /** --url-query pieces, joined with '&' and appended to each URL's query */
  urlQuery?: string[];
  /** -C: the offset to resume from, or 'current' for `-C -` (the output file's size) */
  resume?: number | 'current';
  /** -R: give the output file the remote document's time */
  remoteTime: boolean;
  /** -f (FAILONERROR) */
  failOnError: boolean;
  /** --fail-with-body: the body is kept, then the transfer fails with 22 */
  failWithBody: boolean;
  retry: RetryConfig;
  removeOnError: boolean;
  noBuffer: boolean; // -N: stdout is flushed after every write
  clobber: ClobberMode;
  /** --skip-existing: no transfer to an output file that already exists */
  skipExisting: boolean;
  /** -J: name -O files after Content-Disposition */
  contentDisposition: boolean;
  etagSave?: string;
  etagCompare?: string;
  /** --ipfs-gateway: where ipfs:// and ipns:// URLs go */
  ipfsGateway?: string;
  /** curl's warnf() texts from folding the options (printed unless -s). */
  readonly warnings: string[];
  /** Entries the tool has no implementation for (first one is reported). */
  readonly unsupported: OptEntry[];
}

/** A timeout given in seconds, as curl 7.88's str2udouble() and (long)(secs * 1000). */
const seconds = (e: OptEntry): number => secondsToMs(e.given, String(e.value));

/**
 * --retry-delay, --retry-max-time: seconds with decimals, as curl 8 takes them (its case 1637 asks
 * for "--retry-delay 0.1"); 7.88 wanted whole seconds here.
 */
const retrySeconds = seconds;

/** curl's str2unum(): a non-negative integer. */
const unsigned = (e: OptEntry): number => str2unum(e.given, String(e.value));

/** --max-redirs: str2num(), and -1 (no limit) is the only negative number it takes. */
function maxRedirs(e: OptEntry): number {
  const n = str2num(e.given, String(e.value));
  if (n < -1) throw ParamError.option(e.given, 'BAD_NUMERIC');
  return n;
}

/** What a node may still lack: a URL, an output setting, an upload file. */
type Slot = 'url' | 'out' | 'upload';

const FILLED: Record<Slot, (n: UrlNode) => boolean> = {
  url: (n) => n.url !== undefined,
  out: (n) => !!n.outSet,
  upload: (n) => n.uploadFile !== undefined,
};

/**
 * A group's URL nodes as buildConfig() fills them: the first node still free
 * for a slot, else a new one. A filled slot stays filled, so the search for
 * a free node of each slot resumes where it stopped (curl keeps the same
 * cursors: url_get, url_out, url_ul); searching from the start each time made
 * a config of N URLs cost N^2/2 steps (8,000 URLs in a -K file: a fifth of
 * the run).
 */
class NodeFiller {
  readonly #c: TransferConfig;
  readonly #at: Record<Slot, number> = { url: 0, out: 0, upload: 0 };

  constructor(c: TransferConfig) {
    this.#c = c;
  }

  /** A node already made (by another slot's option) is free for `slot`. */
  hasFree(slot: Slot): boolean {
    const has = FILLED[slot];
    return this.#c.urls.slice(this.#at[slot]).some((n) => !has(n));
  }

  /** The first node free for `slot`. A new node starts with the group's default flags (curl's new_getout): --remote-name-all given before it makes it -O. */
  free(slot: Slot): UrlNode {
    const list = this.#c.urls;
    const has = FILLED[slot];
    let i = this.#at[slot];
    while (i < list.length && has(list[i]!)) i++;
    this.#at[slot] = i;
    if (i < list.length) return list[i]!;
    const n: UrlNode = this.#c.remoteNameAll ? { remoteName: true } : {};
    list.push(n);
    return n;
  }
}

/** -o NAME, -O or --no-remote-name: fills the first node without an output setting. */
function outputNode(nodes: NodeFiller, set: Pick<UrlNode, 'outfile' | 'remoteName' | 'outNull'>): void {
  const n = nodes.free('out');
  n.outSet = true;
  if (set.outNull) {
    n.outNull = true;
    delete n.remoteName;
    return;
  }
  if (set.remoteName) n.remoteName = true;
  else delete n.remoteName;
  if (set.outfile !== undefined) n.outfile = set.outfile;
}

/** curl's SetHTTPrequest() names, for "You can only select one HTTP request method!" */
export const HTTPREQ_NAME = {
  head: 'HEAD (-I, --head)', form: 'multipart formpost (-F, --form)', post: 'POST (-d, --data)', put: 'PUT (-T, --upload-file)',
} as const;
export type ToolHttpReq = keyof typeof HTTPREQ_NAME;

export function methodConflict(req: ToolHttpReq, stored: ToolHttpReq): string {
  return `You can only select one HTTP request method! You asked for both ${HTTPREQ_NAME[req]} and ${HTTPREQ_NAME[stored]}.\n`;
}
/** The proxy flags: each sets the proxy string and its type; the last one wins (curl's config->proxyver). */
const PROXY_FLAGS: Readonly<Record<string, number>> = {
  'proxy': 0, 'proxy1.0': 1, 'socks4': 4, 'socks5': 5, 'socks4a': 6, 'socks5-hostname': 7,
};
/** Proxy authentication flags, in the order curl's tool prefers them when several are given. */
const PROXY_AUTH_FLAGS: readonly (readonly [string, number])[] = [
  ['proxy-anyauth', ~16 >>> 0], ['proxy-negotiate', 4], ['proxy-ntlm', 8], ['proxy-digest', 2], ['proxy-basic', 1],
];

/**
 * Host authentication flags: curl's tool ORs each into one config->authtype
 * (--no-X clears its bit, --anyauth sets CURLAUTH_ANY and has no --no- form,
 * --oauth2-bearer adds CURLAUTH_BEARER) and sets CURLOPT_HTTPAUTH to it when
 * it is not zero.
 */
const HOST_AUTH_BITS: Readonly<Record<string, number>> = { 'basic': 1, 'digest': 2, 'ntlm': 8, 'oauth2-bearer': 64 };
const CURLAUTH_ANY = ~16 >>> 0;

/** Flags the tool consumes while parsing or that need no action to honour. */
const NO_OP = new Set([
  'next', 'config', 'disable', 'variable', 'help', 'version', 'manual', 'styled-output',
  // global settings the Operation reads from the command line's globals
  'trace', 'trace-ascii', 'trace-time', 'trace-ids', 'stderr', 'parallel', 'parallel-max', 'parallel-max-host', 'parallel-immediate', 'libcurl', 'rate',
  // curl 7.88 accepts these and does nothing: the entropy options are ignored since 7.84, and False
  // Start is something its OpenSSL backend cannot do (the transfer goes on without it)
  'egd-file', 'random-file', 'false-start',
]);

export function buildConfig(entries: readonly OptEntry[]): TransferConfig {
  const c: TransferConfig = {
    urls: [], steps: [], silent: false, showError: false, verbose: false, include: false, head: false,
    createDirs: false, progressBar: false, noProgressMeter: false, globoff: false, remoteNameAll: false,
    failEarly: false, headers: [], unsupported: [], useGet: false, remoteTime: false, failOnError: false, failWithBody: false,
    retry: { retries: 0, delayMs: 0, maxTimeMs: 0, allErrors: false, connRefused: false, failOnError: false },
    removeOnError: false, noBuffer: false, clobber: 'default', skipExisting: false, contentDisposition: false, warnings: [],
  };
  const nodes = new NodeFiller(c);
  const set = (id: number, value: unknown, flag: OptEntry): void => void c.steps.push({ id, value, flag });
  // -I and -F pick the request method while parsing (SetHTTPrequest); -d and -T when the transfer is set up
  let httpreq: ToolHttpReq | undefined;
  const setHttpReq = (req: ToolHttpReq, e: OptEntry): void => {
    if (httpreq === undefined || httpreq === req) {
      httpreq = req;
      return;
    }
    const err = ParamError.option(e.given, 'BAD_USE');
    err.warnings = [methodConflict(req, httpreq)];
    throw err;
  };
  let proxy: { e: OptEntry; type: number } | null = null;
  const proxyAuth = new Map<string, OptEntry>();
  let authType = 0;
  const netrc: Partial<Record<'netrc' | 'netrc-optional' | 'netrc-file', OptEntry>> = {};
  let authFlag: OptEntry | undefined;
  const lists: Record<string, { e: OptEntry; values: string[] }> = {};
  let cookieData: { e: OptEntry; values: string[] } | undefined;
  const tls = new TlsFlags();
  const proxyTls = new TlsFlags(true);
  const httpSig = new HttpSigFlags();
  const setNamed = (opt: string, value: unknown, flag: OptEntry): void => set(optId(opt), value, flag);
  // -Y/-y: each one given alone brings a default for the other, as curl's tool does
  const lowSpeed: { limit: number; time: number; e: OptEntry | null } = { limit: 0, time: 0, e: null };
  /** --ftp-ssl-ccc-mode's CURLFTPSSL_CCC_* (0: none given yet) */
  let cccMode = 0;
  /** the CURLFOLLOW_* mode -L, --location-trusted or --follow chose (0: none) */
  let followMode = 0;
  for (const e of entries) {
    const v = e.value;
    const on = v === true;
    if (tls.take(e, setNamed) || proxyTls.take(e, setNamed) || httpSig.take(e)) continue;
    if (e.opt.long in PROXY_FLAGS) {
      proxy = { e, type: PROXY_FLAGS[e.opt.long]! };
      continue;
    }
    if (PROXY_AUTH_FLAGS.some(([f]) => f === e.opt.long)) {
      if (on || e.opt.long === 'proxy-anyauth') proxyAuth.set(e.opt.long, e);
      else proxyAuth.delete(e.opt.long);
      continue;
    }
    if (e.opt.long in HOST_AUTH_BITS || e.opt.long === 'anyauth') {
      const bit = HOST_AUTH_BITS[e.opt.long];
      if (e.opt.long === 'anyauth') authType = CURLAUTH_ANY;
      else if (v === false) authType = (authType & ~bit!) >>> 0;
      else authType = (authType | bit!) >>> 0;
      if (e.opt.long === 'oauth2-bearer') set(optId('XOAUTH2_BEARER'), String(v), e);
      if (v !== false) authFlag = e;
      continue;
    }
    if (e.opt.long === 'netrc' || e.opt.long === 'netrc-optional' || e.opt.long === 'netrc-file') {
      netrc[e.opt.long] = e;
      if (v === false) delete netrc[e.opt.long];
      continue;
    }
    switch (e.opt.long) {
      case 'preproxy': set(optId('PRE_PROXY'), String(v), e); break;
      // (--engine list is an action: the parser lists CURLINFO_SSL_ENGINES)
      case 'engine': set(optId('SSLENGINE'), String(v), e); break;
      case 'socks5-basic': set(optId('SOCKS5_AUTH'), 1, e); break;
      // curl 7.88 accepts these and only warns: SSLv2/3 and NPN are gone
      case 'sslv2': c.warnings.push('Ignores instruction to use SSLv2\n'); break;
      case 'sslv3': c.warnings.push('Ignores instruction to use SSLv3\n'); break;
      case 'no-npn': c.warnings.push('--npn is no longer supported\n'); break;
      case 'create-file-mode': {
        // curl's oct2nummax(): octal, at most 0777; 0 leaves libcurl's default
        const mode = octalMode(e);
        if (mode) set(optId('NEW_FILE_PERMS'), mode, e);
        break;
      }
      case 'delegation': set(optId('GSSAPI_DELEGATION'), delegation(String(v), c.warnings), e); break;
      case 'ftp-method': set(optId('FTP_FILEMETHOD'), ftpMethod(String(v), c.warnings), e); break;
      // --ftp-pasv: back to passive mode, which is what no FTPPORT means
      case 'ftp-pasv': c.steps.splice(0, c.steps.length, ...c.steps.filter((st) => st.id !== optId('FTPPORT'))); break;
      // curl's tool keeps the mode apart: --ftp-ssl-ccc turns CCC on in the mode given last (passive unless one was)
      case 'ftp-ssl-ccc':
        if (cccMode === 0) cccMode = 1;
        set(optId('FTP_SSL_CCC'), on ? cccMode : 0, e);
        break;
      case 'ftp-ssl-ccc-mode':
        cccMode = cccMethod(String(v), c.warnings);
        set(optId('FTP_SSL_CCC'), cccMode, e);
        break;
      case 'quote': {
        // curl: "-cmd" runs after the transfer, "+cmd" before it, anything else before (QUOTE)
        const q = String(v);
        const [list, cmd] = q.startsWith('-') ? ['POSTQUOTE', q.slice(1)] : q.startsWith('+') ? ['PREQUOTE', q.slice(1)] : ['QUOTE', q];
        (lists[list] ??= { e, values: [] }).values.push(cmd);
        break;
      }
      case 'url': nodes.free('url').url = String(v); break;
      case 'output': {
        // curl 7.88 refuses an empty name while parsing, with a warning
        if (String(v) === '') {
          const err = ParamError.option(e.given, 'BAD_USE');
          err.warnings = ['output file name has no length\n'];
          throw err;
        }
        outputNode(nodes, { outfile: String(v), remoteName: false });
        break;
      }
      // --no-remote-name switches a --remote-name-all default off for its URL; with no such default and no
      // node waiting it has nothing to switch off and makes no node (curl 8: 7.88's empty node warned
      // "Got more output options than URLs")
      case 'remote-name': if (on || c.remoteNameAll || nodes.hasFree('out')) outputNode(nodes, { remoteName: on }); break;
      case 'remote-name-all': c.remoteNameAll = on; break;
      // --out-null is an output setting of its URL, as -o is
      case 'out-null': outputNode(nodes, { outNull: true }); break;
      case 'upload-file': nodes.free('upload').uploadFile = String(v); break;
      case 'output-dir': c.outputDir = String(v); break;
      case 'create-dirs': c.createDirs = on; break;
      case 'silent': c.silent = on; break;
      case 'show-error': c.showError = on; break;
      case 'verbose': c.verbose = on; break;
      case 'include': case 'show-headers': c.include = on; break;
      // curl's tool asks for the file time with -I as with -R (FTP then sends MDTM and shows Last-Modified)
      case 'head': c.head = on; if (on) setHttpReq('head', e); set(CURLOPT.NOBODY, on ? 1 : 0, e); if (on) set(CURLOPT.FILETIME, 1, e); break;
      case 'dump-header': c.dumpHeader = String(v); break;
      case 'write-out': c.writeOut = String(v); break;
      case 'progress-bar': c.progressBar = on; break;
      case 'no-progress-meter': c.noProgressMeter = on; break;
      case 'globoff': c.globoff = on; break;
      case 'fail-early': c.failEarly = on; break;
      case 'header': c.headers.push(String(v)); break;
      case 'user-agent': set(CURLOPT.USERAGENT, String(v), e); break;
      case 'referer': {
        // curl's -e: ";auto" turns on AUTOREFERER; what stands before it is the first Referer
        const s = String(v);
        const auto = s.indexOf(';auto');
        const first = auto < 0 ? s : s.slice(0, auto);
        if (first !== '' || auto < 0) set(CURLOPT.REFERER, first, e);
        if (auto >= 0) set(CURLOPT.AUTOREFERER, 1, e);
        break;
      }
      case 'request': set(CURLOPT.CUSTOMREQUEST, String(v), e); break;
      case 'proto': case 'proto-redir': {
        const r = protoList(String(v), (w) => c.warnings.push(w));
        if (!r.ok) throw ParamError.option(e.given, 'BAD_USE');
        set(e.opt.long === 'proto' ? CURLOPT.PROTOCOLS_STR : CURLOPT.REDIR_PROTOCOLS_STR, r.list, e);
        break;
      }
      case 'proto-default':
        // curl's check_protocol(): a scheme libcurl does not know is refused while parsing
        if (!PROTOCOLS.includes(String(v).toLowerCase())) throw ParamError.option(e.given, 'LIBCURL_UNSUPPORTED_PROTOCOL', CURLE.UNSUPPORTED_PROTOCOL);
        set(CURLOPT.DEFAULT_PROTOCOL, String(v), e);
        break;
      // -L follows with any -X method kept (CURLFOLLOW_ALL); curl 8.16's --follow as the response
      // code says (OBEYCODE). One setting: the later flag wins, and curl warns when it replaces the other
      case 'location': case 'location-trusted': case 'follow': {
        const mode = !on && e.opt.long !== 'location-trusted' ? 0 : e.opt.long === 'follow' ? CURLFOLLOW.OBEYCODE : CURLFOLLOW.ALL;
        if (mode !== 0 && followMode !== 0 && mode !== followMode) {
          c.warnings.push(mode === CURLFOLLOW.ALL ? '--location overrides --follow\n' : '--follow overrides --location\n');
        }
        if (e.opt.long === 'location-trusted') set(optId('UNRESTRICTED_AUTH'), on ? 1 : 0, e);
        if (on || e.opt.long !== 'location-trusted') {
          followMode = mode;
          set(CURLOPT.FOLLOWLOCATION, mode, e);
        }
        break;
      }
      // curl 8: the later of -f and --fail-with-body wins, with a warning
      // (7.88 refused the combination as a usage error)
      case 'fail':
        if (on && c.failWithBody) {
          c.warnings.push('--fail deselects --fail-with-body here\n');
          c.failWithBody = false;
        }
        c.failOnError = on;
        set(CURLOPT.FAILONERROR, on ? 1 : 0, e);
        break;
      case 'fail-with-body':
        if (on && c.failOnError) {
          c.warnings.push('--fail-with-body deselects --fail here\n');
          c.failOnError = false;
          set(CURLOPT.FAILONERROR, 0, e);
        }
        c.failWithBody = on;
        break;
      case 'retry': c.retry.retries = unsigned(e); break;
      case 'retry-delay': c.retry.delayMs = retrySeconds(e); break;
      case 'retry-max-time': c.retry.maxTimeMs = retrySeconds(e); break;
      case 'retry-all-errors': c.retry.allErrors = on; break;
      case 'retry-connrefused': c.retry.connRefused = on; break;
      // curl 8 refuses -C with --remove-on-error (the file's earlier part would be deleted on an
      // error) and with --no-clobber (the file would be changed): whichever comes second is badly used
      case 'remove-on-error':
        if (on && c.resume !== undefined) throw resumeMutex(e, c, '--remove-on-error');
        c.removeOnError = on;
        break;
      case 'no-clobber':
        if (on && c.resume !== undefined) throw resumeMutex(e, c, '--no-clobber');
        c.clobber = on ? 'never' : 'always';
        break;
      case 'skip-existing': c.skipExisting = on; break;
      case 'no-buffer': c.noBuffer = on; break;
      case 'remote-header-name': c.contentDisposition = on; break;
      case 'etag-save': c.etagSave = String(v); break;
      case 'etag-compare': c.etagCompare = String(v); break;
      case 'ipfs-gateway': c.ipfsGateway = String(v); break;
      case 'max-time': set(CURLOPT.TIMEOUT_MS, seconds(e), e); break;
      case 'connect-timeout': set(CURLOPT.CONNECTTIMEOUT_MS, seconds(e), e); break;
      case 'expect100-timeout': set(CURLOPT.EXPECT_100_TIMEOUT_MS, seconds(e), e); break;
      case 'http1.0': set(CURLOPT.HTTP_VERSION, 1, e); break;
      case 'http1.1': set(CURLOPT.HTTP_VERSION, 2, e); break;
      case 'ipv4': set(CURLOPT.IPRESOLVE, 1, e); break;
      case 'ipv6': set(CURLOPT.IPRESOLVE, 2, e); break;
      case 'path-as-is': set(CURLOPT.PATH_AS_IS, on ? 1 : 0, e); break;
      case 'max-filesize': set(CURLOPT.MAXFILESIZE_LARGE, sizeParameter(e.given, String(v), 'max-filesize'), e); break;
      case 'limit-rate': {
        const rate = sizeParameter(e.given, String(v), 'rate');
        set(CURLOPT.MAX_SEND_SPEED_LARGE, rate, e);
        set(CURLOPT.MAX_RECV_SPEED_LARGE, rate, e);
        break;
      }
      case 'local-port': {
        const r = localPortRange(e.given, String(v));
        set(CURLOPT.LOCALPORT, r.port, e);
        set(CURLOPT.LOCALPORTRANGE, r.range, e);
        break;
      }
      case 'keepalive-time':
        // curl also sets TCP_KEEPINTVL to it; Node cannot set the probe interval (see README)
        set(CURLOPT.TCP_KEEPIDLE, unsigned(e), e);
        break;
      case 'speed-limit':
        Object.assign(lowSpeed, { limit: unsigned(e), time: lowSpeed.time || 30, e });
        break;
      case 'speed-time':
        Object.assign(lowSpeed, { time: unsigned(e), limit: lowSpeed.limit || 1, e });
        break;
      case 'http0.9': set(CURLOPT.HTTP09_ALLOWED, on ? 1 : 0, e); break;
      case 'tcp-nodelay': set(CURLOPT.TCP_NODELAY, on ? 1 : 0, e); break;
      case 'data': case 'data-ascii': case 'data-binary': case 'data-raw': case 'data-urlencode':
        (c.postData ??= []).push(e.data ?? Buffer.from(String(v)));
        break;
      case 'json': (c.jsonData ??= []).push(e.data ?? Buffer.from(String(v))); break;
      // bytes to the text the URL is made of, losslessly (src/url/url-bytes.ts): the URL gives the bytes back
      case 'url-query': (c.urlQuery ??= []).push(bufferToText(e.data ?? Buffer.from(String(v)))); break;
      case 'form': case 'form-string': setHttpReq('form', e); (c.form ??= []).push({ text: String(v), literal: e.opt.long === 'form-string' }); break;
      case 'get': c.useGet = on; break;
      case 'continue-at':
        if (c.removeOnError) throw resumeMutex(e, c, '--remove-on-error');
        if (c.clobber === 'never') throw resumeMutex(e, c, '--no-clobber');
        c.resume = continueAt(e);
        break;
      case 'remote-time': c.remoteTime = on; set(CURLOPT.FILETIME, on ? 1 : 0, e); break;
      case 'range': set(CURLOPT.RANGE, range(e, c.warnings), e); break;
      case 'time-cond': {
        const tc = timeCondition(String(v), c.warnings);
        set(CURLOPT.TIMECONDITION, tc.cond, e);
        set(CURLOPT.TIMEVALUE_LARGE, tc.time, e);
        break;
      }
      case 'cookie':
        // curl: a value with '=' is cookie data (every -b joined with "; "), otherwise a file to read
        if (String(v).includes('=')) (cookieData ??= { e, values: [] }).values.push(String(v));
        else set(optId('COOKIEFILE'), String(v), e);
        break;
      case 'upload-flags': set(CURLOPT.UPLOAD_FLAGS, uploadFlags(e, String(v)), e); break;
      case 'metalink':
        // removed in curl 7.78; 7.88 still knows the flag and refuses it
        throw ParamError.option(e.given, 'BAD_USE', 2, c.silent ? [] : ['--metalink is disabled']);
      case 'hostpubmd5':
        // curl's tool takes only the 32 hex digits of an MD5 (PARAM_BAD_USE otherwise)
        if (String(v).length !== 32) throw ParamError.option(e.given, 'BAD_USE');
        set(CURLOPT.SSH_HOST_PUBLIC_KEY_MD5, String(v), e);
        break;
      default: {
        const m = SETOPT_MAP[e.opt.long];
        if (!m) {
          if (!NO_OP.has(e.opt.long)) c.unsupported.push(e);
          break;
        }
        if (m.kind === 'str') set(optId(m.opt), String(v), e);
        else if (m.kind === 'int') set(optId(m.opt), e.opt.long === 'max-redirs' ? maxRedirs(e) : unsigned(e), e);
        else if (m.kind === 'bool') set(optId(m.opt), on !== !!m.invert ? 1 : 0, e);
        else if (m.kind === 'consts') for (const [o, val] of on ? m.on : m.off) set(optId(o), val, e);
        else (lists[m.opt] ??= { e, values: [] }).values.push(String(v));
      }
    }
  }
  // curl's tool keeps one config->httpversion: the last version flag is the only one set
  const lastVersion = c.steps.findLast((st) => st.id === CURLOPT.HTTP_VERSION);
  if (lastVersion) c.steps.splice(0, c.steps.length, ...c.steps.filter((st) => st.id !== CURLOPT.HTTP_VERSION || st === lastVersion));
  for (const [o, l] of Object.entries(lists)) set(optId(o), l.values, l.e);
  if (cookieData) set(CURLOPT.COOKIE, cookieData.values.join('; '), cookieData.e);
  if (proxy) {
    // curl's tool sets PROXYTYPE only together with a proxy string
    set(optId('PROXY'), String(proxy.e.value), proxy.e);
    set(optId('PROXYTYPE'), proxy.type, proxy.e);
  }
  // curl's tool: --netrc-optional wins, then --netrc or --netrc-file ask for REQUIRED
  const netrcMode = netrc['netrc-optional'] ? 1 : netrc.netrc || netrc['netrc-file'] ? 2 : 0;
  if (netrcMode) set(optId('NETRC'), netrcMode, (netrc['netrc-optional'] ?? netrc.netrc ?? netrc['netrc-file'])!);
  if (netrc['netrc-file']) set(optId('NETRC_FILE'), String(netrc['netrc-file'].value), netrc['netrc-file']);
  if (authType !== 0 && authFlag) set(optId('HTTPAUTH'), authType, authFlag);
  // after HTTPAUTH: a signing algorithm makes CURLAUTH_HTTPSIG the scheme
  httpSig.flush(setNamed);
  const pa = PROXY_AUTH_FLAGS.find(([f]) => proxyAuth.has(f));
  if (pa) set(optId('PROXYAUTH'), pa[1], proxyAuth.get(pa[0])!);
  // curl's tool: resuming does not mix with a range or with posted data
  const resumeFlag = entries.find((e) => e.opt.long === 'continue-at');
  if (resumeFlag && (c.postData || c.jsonData || entries.some((e) => e.opt.long === 'range'))) {
    throw ParamError.option(resumeFlag.given, 'BAD_USE');
  }
  tls.flush(setNamed);
  proxyTls.flush(setNamed);
  if (lowSpeed.e) {
    set(CURLOPT.LOW_SPEED_LIMIT, lowSpeed.limit, lowSpeed.e);
    set(CURLOPT.LOW_SPEED_TIME, lowSpeed.time, lowSpeed.e);
  }
  if (c.jsonData) {
    // curl --json: pieces concatenated, JSON Content-Type/Accept unless given with -H
    const has = (n: string): boolean => c.headers.some((h) => h.toLowerCase().startsWith(n));
    if (!has('content-type:')) c.headers.push('Content-Type: application/json');
    if (!has('accept:')) c.headers.push('Accept: application/json');
    (c.postData ??= []).push(Buffer.concat(c.jsonData));
  }
  if (c.postData && c.useGet) {
    c.getQuery = bufferToText(Buffer.concat(c.postData.flatMap((b, i) => (i ? [Buffer.from('&'), b] : [b]))));
  } else if (c.postData) {
    // curl joins repeated -d pieces with '&'
    const parts: Buffer[] = [];
    c.postData.forEach((b, i) => parts.push(...(i ? [Buffer.from('&'), b] : [b])));
    const first = entries.find((e) => e.opt.long.startsWith('data') || e.opt.long === 'json')!;
    set(CURLOPT.POSTFIELDS, Buffer.concat(parts), first);
  }
  c.httpreq = httpreq;
  // an HTTP error that -f or --fail-with-body turned into 22 may still be transient
  c.retry.failOnError = c.failOnError || c.failWithBody;
  if (c.headers.length) set(CURLOPT.HTTPHEADER, c.headers, entries.find((e) => e.opt.long === 'header')!);
  return c;
}

/** curl 8's errorf() and PARAM_BAD_USE for -C given together with an option it excludes. */
function resumeMutex(e: OptEntry, c: TransferConfig, other: string): ParamError {
  return ParamError.option(e.given, 'BAD_USE', 2, c.silent && !c.showError ? [] : [`--continue-at is mutually exclusive with ${other}`]);
}

/** The error for a flag the tool or library cannot honour (exit 4, CURLE_NOT_BUILT_IN). */
export function unsupportedError(flag: OptEntry): ParamError {
  const shown = flag.given.startsWith('-') ? flag.given : `--${flag.opt.long}`;
  return ParamError.option(shown, 'LIBCURL_DOESNT_SUPPORT', 4);
}
