// One transfer of the command line, as curl's per_transfer: setup() makes
// the Easy from the group's TransferConfig (curl's single_transfer and
// config2setopts), the caller performs it (alone or in a Multi), finish()
// is curl's post_per_transfer: the error line, --fail-with-body, the empty
// output file, the retry decision (truncating what the attempt wrote),
// --remove-on-error and -w. A retry performs the same Easy again.
import { sshToolOptions, CA_CERT_ERRORMSG } from './ssh-tool.js';
import { groupCaFromEnvironment } from './ca-environment.js';
import { readFileSync, openSync, writeSync, closeSync, mkdirSync, statSync, utimesSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { bufferToText } from '../url/url-bytes.js';
import { Easy, CURLOPT, CURLINFO, CURLE, CURLPAUSE, CURL_WRITEFUNC_PAUSE, easyStrerror, VERSION, CurlUrl, CURLU, CURLUE, CURLUPART, type Share, type CurlCertinfo } from '../index.js';
import { methodConflict, unsupportedError, type ToolHttpReq, type TransferConfig, type UrlNode } from './transfer-config.js';
import { HINT_LINE } from './param-error.js';
import type { GlobItem } from './glob.js';
import { OutputFile, contentDispositionFilename } from './output-file.js';
import { ResponseHeaders } from './response-headers.js';
import { RetryState } from '../request/retry-policy.js';
import { warnText, noteText } from './messages.js';
import type { ToolTrace } from './tool-trace.js';
import type { LibcurlSource } from './libcurl-source.js';
import type { Stdio } from './operate.js';

/** Schemes whose response lines are no headers for --include (libcurl's pingpong protocols). */

export interface ToolContext {
  readonly stdio: Stdio;
  readonly share: Share;
  readonly trace: ToolTrace;
  readonly libcurl?: LibcurlSource;
  /** parallel mode: the tool's own meter replaces the per-transfer one */
  readonly parallel: boolean;
}

/** What one finished attempt asks the driver to do next. */
export type FinishResult = { readonly retryMs: number } | { readonly code: number };

/** curl's tool BUFFER_SIZE (tool_operate.c): the CURLOPT_BUFFERSIZE it asks for. */
const TOOL_BUFFER_SIZE = 102400;
const ECONNREFUSED = 111;
/** libcurl 7.88's text for CURLE_WRITE_ERROR from the write callback */
const WRITE_FAILED = 'Failure writing output to destination';
/** curl 7.88's post_per_transfer, when fflush(stdout) fails */
const FLUSH_FAILED = 'Failed writing body';

export const INFO_FOR_VAR: Record<string, string> = {
  http_code: 'RESPONSE_CODE', response_code: 'RESPONSE_CODE', http_connect: 'HTTP_CONNECTCODE', content_type: 'CONTENT_TYPE',
  ftp_entry_path: 'FTP_ENTRY_PATH', local_ip: 'LOCAL_IP', local_port: 'LOCAL_PORT', method: 'EFFECTIVE_METHOD',
  num_connects: 'NUM_CONNECTS', num_redirects: 'REDIRECT_COUNT', proxy_ssl_verify_result: 'PROXY_SSL_VERIFYRESULT',
  redirect_url: 'REDIRECT_URL', referer: 'REFERER', remote_ip: 'PRIMARY_IP', remote_port: 'PRIMARY_PORT', scheme: 'SCHEME',
  size_download: 'SIZE_DOWNLOAD_T', size_header: 'HEADER_SIZE', size_request: 'REQUEST_SIZE', size_upload: 'SIZE_UPLOAD_T',
  speed_download: 'SPEED_DOWNLOAD_T', speed_upload: 'SPEED_UPLOAD_T', ssl_verify_result: 'SSL_VERIFYRESULT',
  time_appconnect: 'APPCONNECT_TIME_T', time_connect: 'CONNECT_TIME_T', time_namelookup: 'NAMELOOKUP_TIME_T',
  time_posttransfer: 'POSTTRANSFER_TIME_T', time_pretransfer: 'PRETRANSFER_TIME_T', time_queue: 'QUEUE_TIME_T',
  time_redirect: 'REDIRECT_TIME_T', time_starttransfer: 'STARTTRANSFER_TIME_T', time_total: 'TOTAL_TIME_T',
  url_effective: 'EFFECTIVE_URL', conn_id: 'CONN_ID', xfer_id: 'XFER_ID',
};

export function info(easy: Easy, key: string): string | number | null | undefined {
  const id = (CURLINFO as Record<string, number>)[key];
  if (id === undefined) return undefined;
  try {
    const v = easy.getinfo(id as never) as unknown;
    return typeof v === 'string' || typeof v === 'number' ? v : v === null ? null : undefined;
  } catch {
    return undefined; // not supported yet by the library
  }
}

/** The groups (TransferConfig) whose -D file a transfer already opened. */
const dumpHeaderStarted = new WeakSet<TransferConfig>();

const HTTP_VERSION_TEXT: Record<number, string> = { 0: '0', 1: '1', 2: '1.1', 3: '2', 30: '3' };

/** curl's -O name: the URL path's last segment, without query or fragment. */
function remoteName(url: string): string {
  const path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').replace(/[?#].*$/, '');
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

/** Progress numbers of the last XFERINFO call (the parallel meter sums them). */
export interface XferProgress {
  dlTotal: number;
  dlNow: number;
  ulTotal: number;
  ulNow: number;
}

export class ToolTransfer {
  readonly #ctx: ToolContext;
  readonly cfg: TransferConfig;
  readonly #node: UrlNode;
  readonly #item: GlobItem;
  readonly #urlnum: number;
  readonly #uploadFile: string | undefined;
  #upload: { close(): void } | undefined;
  readonly easy = new Easy();
  #outs!: OutputFile;
  #dump: OutputFile | undefined;
  #etagFd: number | undefined;
  readonly #headers = new ResponseHeaders();
  #honorCd = false;
  #retry: RetryState;
  #meter: { finish(us: number): void } | undefined;
  #started = 0n;
  /** the last XFERINFO numbers, for the parallel meter */
  readonly progress: XferProgress = { dlTotal: 0, dlNow: 0, ulTotal: 0, ulNow: 0 };
  /** set by the driver: the XFERINFO callback aborts the transfer (--fail-early in parallel) */
  abort = false;

  constructor(ctx: ToolContext, cfg: TransferConfig, node: UrlNode, item: GlobItem, urlnum: number, uploadFile?: string) {
    this.#uploadFile = uploadFile;
    this.#ctx = ctx;
    this.cfg = cfg;
    this.#node = node;
    this.#item = item;
    this.#urlnum = urlnum;
    this.#retry = new RetryState(cfg.retry, Date.now());
  }

  #showError(): boolean {
    return !this.cfg.silent || this.cfg.showError;
  }
  #error(code: number, message: string): void {
    if (!this.#showError()) return;
    this.#ctx.stdio.stderr(`tscurl: (${code}) ${message}\n`);
    // curl's tool explains a failed server verification (CURL_CA_CERT_ERRORMSG)
    if (code === CURLE.PEER_FAILED_VERIFICATION) this.#ctx.stdio.stderr(CA_CERT_ERRORMSG);
  }
  #warn = (msg: string): void => {
    if (!this.cfg.silent) this.#ctx.stdio.stderr(warnText(msg));
  };
  note(msg: string): void {
    // curl's notef(): only while tracing, and muted by -s
    if (this.#ctx.trace.enabled && !this.cfg.silent) this.#ctx.stdio.stderr(noteText(msg));
  }

  /**
   * curl's customrequest_helper(): -X naming the method the other flags already imply is a note,
   * -X HEAD (which waits for a body that never comes) a warning. Any protocol, as curl's tool.
   */
  #customRequestHelper(req: ToolHttpReq | undefined): void {
    const method = this.cfg.steps.findLast((st) => st.id === CURLOPT.CUSTOMREQUEST)?.value;
    if (typeof method !== 'string') return;
    const inferred = req === 'head' ? 'HEAD' : req === 'put' ? 'PUT' : req === 'post' || req === 'form' ? 'POST' : 'GET';
    if (method.toUpperCase() === inferred) this.note(`Unnecessary use of -X or --request, ${inferred} is already inferred.\n`);
    else if (method.toLowerCase() === 'head') {
      this.#warn('Setting custom HTTP method to HEAD with -X/--request may not work the way you want. Consider using -I/--head instead.\n');
    }
  }

  /**
   * Everything before the first perform. Resolves with CURLE_OK, an error
   * code (already reported), or 'skip' when curl skips the URL silently.
   */
  async setup(): Promise<number | 'skip'> {
    const { cfg } = this;
    let outName: string | undefined;
    if (this.#node.outfile !== undefined) {
      outName = this.#node.outfile;
      // "#N" names a glob's value; without a '#' the name is taken as it is
      if (outName.includes('#')) outName = (await import('./glob.js')).globOutputName(outName, this.#item);
    } else if (this.#node.remoteName) {
      outName = remoteName(this.#item.url);
      this.#honorCd = cfg.contentDisposition;
      if (!outName && !this.#honorCd) {
        this.#error(CURLE.WRITE_ERROR, 'Remote file name has no length!');
        return CURLE.WRITE_ERROR;
      }
    }
    if (outName !== undefined && outName !== '-' && cfg.outputDir && !outName.startsWith('/')) outName = join(cfg.outputDir, outName);
    // --skip-existing (curl 8.10): an output file that is already there is not downloaded again; a note, exit 0
    if (cfg.skipExisting && outName !== undefined && outName !== '-' && existsSync(outName)) {
      this.note(`skips transfer, "${outName}" exists locally\n`);
      return 'skip';
    }
    const hooks = { stdout: (b: Buffer) => this.#ctx.stdio.stdout(b), warn: this.#warn };
    // -C: `-C -` resumes from the output file's size; a resumed download appends to the file
    let resume = cfg.resume === 'current' ? 0 : cfg.resume ?? 0;
    const toFile = outName !== undefined && outName !== '-';
    // an upload with `-C -` leaves it to the library: -1 means "the remote size is unknown"
    if (cfg.resume === 'current' && this.#uploadFile !== undefined) resume = -1;
    else if (cfg.resume === 'current' && toFile) {
      try {
        resume = statSync(outName!).size;
      } catch {
        resume = 0;
      }
    }
    this.#resume = resume;
    const discard = this.#node.outNull === true;
    this.#outs = new OutputFile(outName, { createDirs: cfg.createDirs, clobber: cfg.clobber, append: toFile && resume > 0, discard }, hooks);
    if (this.#honorCd && (cfg.include || cfg.head)) this.#outs.holdHeaders();
    if (cfg.dumpHeader !== undefined) {
      // one -D file for all the group's URLs: its first transfer creates (or
      // truncates) it at setup, the later ones append to it
      const append = dumpHeaderStarted.has(cfg);
      dumpHeaderStarted.add(cfg);
      this.#dump = new OutputFile(cfg.dumpHeader, { createDirs: cfg.createDirs, clobber: 'always', append, gather: true }, hooks);
      if (!this.#dump.open()) return CURLE.WRITE_ERROR;
    }
    // --etag-compare reads its file before --etag-save truncates it (they may be the same file)
    let etagHeader: string | undefined;
    if (cfg.etagCompare !== undefined) {
      let etag: string | undefined;
      try {
        etag = bufferToText(readFileSync(cfg.etagCompare)).replace(/[\r\n]/g, '');
      } catch {
        if (cfg.etagSave === undefined) {
          if (this.#showError()) this.#ctx.stdio.stderr(`tscurl: Failed to open ${cfg.etagCompare}\n`);
          return CURLE.READ_ERROR;
        }
      }
      etagHeader = `If-None-Match: ${etag ? etag : '""'}`;
    }
    if (cfg.etagSave !== undefined && cfg.etagSave !== '-') {
      try {
        if (cfg.createDirs) mkdirSync(dirname(cfg.etagSave), { recursive: true });
        this.#etagFd = openSync(cfg.etagSave, 'w');
      } catch {
        this.#warn(`Failed creating file for saving etags: "${cfg.etagSave}". Skip this transfer\n`);
        return 'skip';
      }
    }
    return this.#setopts(etagHeader);
  }

  #resume = 0;

  async #setopts(etagHeader: string | undefined): Promise<number> {
    const { cfg } = this;
    const easy = this.easy;
    const lc = this.#ctx.libcurl;
    lc?.beginTransfer();
    const setopt = (id: number, value: unknown): number => {
      lc?.setopt(id, value);
      return easy.setopt(id as never, value as never);
    };
    setopt(CURLOPT.SHARE, this.#ctx.share);
    // like curl's tool (not libcurl), send a User-Agent unless -A says otherwise
    setopt(CURLOPT.USERAGENT, `tscurl/${VERSION}`);
    setopt(CURLOPT.TCP_KEEPALIVE, 1); // curl's tool turns keep-alive probes on unless --no-keepalive
    // curl's tool follows at most 50 redirects unless --max-redirs says otherwise (DEFAULT_MAXREDIRS;
    // libcurl's own default differs: unlimited in 7.88, 30 since 8.3)
    setopt(CURLOPT.MAXREDIRS, 50);
    const caEnv = groupCaFromEnvironment(cfg);
    if (caEnv) setopt(caEnv.opt, caEnv.value);
    for (const step of cfg.steps) {
      let value = step.value;
      // --etag-compare adds its header after the -H ones, as curl does
      if (etagHeader && step.id === CURLOPT.HTTPHEADER) value = [...(value as string[]), etagHeader];
      const rc = setopt(step.id, value);
      // an HTTP version the library is built without (libcurl: CURLE_UNSUPPORTED_PROTOCOL) is a flag it cannot do
      const notBuilt = rc === CURLE.UNSUPPORTED_PROTOCOL && step.id === CURLOPT.HTTP_VERSION;
      if (rc === CURLE.NOT_BUILT_IN || rc === CURLE.UNKNOWN_OPTION || notBuilt) throw unsupportedError(step.flag);
      if (rc !== CURLE.OK) {
        this.#error(rc, easy.errorBuffer || easyStrerror(rc));
        return rc;
      }
    }
    if (etagHeader && !cfg.steps.some((s) => s.id === CURLOPT.HTTPHEADER)) setopt(CURLOPT.HTTPHEADER, [etagHeader]);
    if (cfg.resume !== undefined) setopt(CURLOPT.RESUME_FROM_LARGE, this.#resume);
    const itemUrl = await this.#ipfsUrl(this.#item.url);
    if (typeof itemUrl === 'number') return itemUrl;
    // -G: curl appends the data to the query with '?' or '&'
    let url = cfg.getQuery === undefined ? itemUrl : itemUrl + (itemUrl.includes('?') ? '&' : '?') + cfg.getQuery;
    if (cfg.urlQuery) {
      // --url-query: curl's tool appends it with the URL API (CURLU_APPENDQUERY)
      const u = new CurlUrl();
      if (u.set(CURLUPART.URL, url, CURLU.GUESS_SCHEME) === CURLUE.OK && u.set(CURLUPART.QUERY, cfg.urlQuery.join('&'), CURLU.APPENDQUERY) === CURLUE.OK) {
        const r = u.get(CURLUPART.URL, CURLU.GUESS_SCHEME);
        if (r.value !== undefined && r.value !== null) url = r.value;
      }
    }
    const ssh = sshToolOptions(url, cfg.steps, process.env);
    if (ssh.warning) this.#warn(ssh.warning);
    for (const [id, value] of ssh.set) setopt(id, value);
    // single_transfer()'s SetHTTPrequest for -d, then -T: a second kind is an error (exit 2)
    {
      let req = cfg.httpreq;
      for (const [want, on] of [['post', cfg.postData !== undefined && !cfg.useGet], ['put', this.#uploadFile !== undefined]] as const) {
        if (!on) continue;
        if (req !== undefined && req !== want) {
          if (!cfg.silent) this.#ctx.stdio.stderr(warnText(methodConflict(want, req)));
          return CURLE.FAILED_INIT;
        }
        req = want;
      }
      this.#customRequestHelper(req);
    }
    const uploadFile = this.#uploadFile;
    if (uploadFile !== undefined) {
      const { setupUpload, addFileNameToUrl } = await import('./upload-source.js');
      if (uploadFile !== '-' && uploadFile !== '.') url = addFileNameToUrl(url, uploadFile);
      this.#upload = await setupUpload(easy, uploadFile);
      if (!this.#upload) {
        // curl says this even with -s, then the transfer's own error
        this.#ctx.stdio.stderr(`tscurl: Can't open '${uploadFile}'!\ntscurl: ${HINT_LINE}\n`);
        this.#error(CURLE.READ_ERROR, easyStrerror(CURLE.READ_ERROR));
        return CURLE.READ_ERROR;
      }
    } else if (/^telnet:/i.test(url)) {
      // without -T curl's tool reads its input from stdin (tool_read_cb on fd 0), which TELNET sends as it
      // comes; stdin must not keep the tool running once the session is over
      (process.stdin as { unref?: () => void }).unref?.();
      setopt(CURLOPT.READDATA, process.stdin);
    }
    if (cfg.form) {
      const { buildFormMime } = await import('./form-mime.js');
      const warn = (w: string): void => {
        if (!cfg.silent) this.#ctx.stdio.stderr(`Warning: ${w}\n`);
      };
      const f = await buildFormMime(easy, cfg.form, warn);
      if (f.warning) warn(f.warning);
      if (f.code !== CURLE.OK) {
        this.#error(f.code, easyStrerror(f.code));
        return f.code;
      }
      setopt(CURLOPT.MIMEPOST, f.mime);
    }
    // like curl's tool, gather the certificate chain only when -w shows it
    if (cfg.writeOut !== undefined && /%\{(num_)?certs\}/.test(cfg.writeOut)) setopt(CURLOPT.CERTINFO, 1);
    // curl's tool: a 100 KiB receive buffer, or the --limit-rate rate when
    // smaller ("for better sleeps"); the write callback still gets at most 16 KiB
    const recvRate = Number(cfg.steps.findLast((s) => s.id === CURLOPT.MAX_RECV_SPEED_LARGE)?.value ?? 0);
    setopt(CURLOPT.BUFFERSIZE, recvRate > 0 && recvRate < TOOL_BUFFER_SIZE ? recvRate : TOOL_BUFFER_SIZE);
    setopt(CURLOPT.URL, url);
    setopt(CURLOPT.WRITEFUNCTION, (data: Buffer) => this.#onBody(data));
    setopt(CURLOPT.HEADERFUNCTION, (line: Buffer) => this.#onHeader(line));
    if (this.#ctx.trace.enabled) {
      setopt(CURLOPT.VERBOSE, 1);
      setopt(CURLOPT.DEBUGFUNCTION, this.#ctx.trace.callback);
    }
    return CURLE.OK;
  }

  /** ipfs:// and ipns:// go to a gateway (ipfs.ts); a failure is curl's helpf() and its exit code. */
  async #ipfsUrl(url: string): Promise<string | number> {
    if (!/^\s*ip[fn]s:/i.test(url)) return url;
    const { ipfsScheme, ipfsRewrite } = await import('./ipfs.js');
    const scheme = ipfsScheme(url);
    const r = scheme === undefined ? { url } : ipfsRewrite(url, scheme, this.cfg.ipfsGateway, process.env);
    if ('url' in r) return r.url;
    this.#ctx.stdio.stderr(`tscurl: ${r.message}\ntscurl: ${HINT_LINE}\n`);
    return r.code;
  }

  /**
   * curl's tool_write_cb. curl's fwrite() to a pipe blocks while the reader
   * lags; Node's stdout queues instead, so while stdout is backed up a
   * transfer writing there (its body, or a --trace -) pauses: the library
   * keeps this piece and reads nothing more until 'drain' resumes it.
   */
  #onBody(data: Buffer): number {
    const flow = this.#ctx.stdio.stdoutFlow;
    if ((this.#outs.toStdout || this.#ctx.trace.toStdout) && flow.blocked) {
      if (!this.#waitingForStdout) {
        this.#waitingForStdout = true;
        flow.whenWritable(() => {
          this.#waitingForStdout = false;
          this.easy.pause(CURLPAUSE.CONT);
        });
      }
      return CURL_WRITEFUNC_PAUSE;
    }
    // header lines without a blank line after them (FTP's replies) reach the -D file before the body
    if (this.#dump && !this.#dump.flush()) return 0;
    if (!this.#outs.write(data)) return 0;
    // -N: curl's tool_write_cb fflush()es after each write
    if (this.cfg.noBuffer && this.#outs.toStdout && !flow.flush()) return 0;
    return data.length;
  }

  #waitingForStdout = false;


  /** curl's tool_header_cb: -D, --etag-save, -J, then -i. */
  #onHeader(line: Buffer): number {
    const { cfg } = this;
    // the text is needed for -w (%header{}, num_headers), --etag-save and -J alone
    const needText = cfg.writeOut !== undefined || cfg.etagSave !== undefined || this.#honorCd;
    const text = needText ? line.toString('latin1') : '';
    if (cfg.writeOut !== undefined) this.#headers.feed(text);
    if (this.#dump && !this.#dump.write(line)) return 0;
    // the blank line ends a response's headers: they go to the -D file now, in one write
    if (this.#dump && line.length <= 2 && (line[0] === 13 || line[0] === 10) && !this.#dump.flush()) return 0;
    if (!needText) return this.#include(line);
    if (cfg.etagSave !== undefined && /^etag:/i.test(text) && text.endsWith('\n')) {
      const etag = text.slice(5).trim();
      if (etag) {
        const b = Buffer.from(etag + '\n', 'latin1');
        if (this.#etagFd !== undefined) writeSync(this.#etagFd, b);
        else this.#ctx.stdio.stdout(b);
      }
    }
    if (this.#honorCd && /^content-disposition:/i.test(text) && /^https?$/i.test(String(info(this.easy, 'SCHEME') ?? ''))) {
      const name = contentDispositionFilename(text);
      if (name) {
        if (this.#outs.opened) return 0; // body bytes already went to another name
        this.#outs.useCdFilename(this.cfg.outputDir ? join(this.cfg.outputDir, name) : name);
        this.#honorCd = false;
        if (!this.#outs.open()) return 0;
      }
    }
    return this.#include(line);
  }

  /** -i/-I: the header line goes to the output too. */
  #include(line: Buffer): number {
    const { cfg } = this;
    // curl's tool shows headers with -i/-I for HTTP(S), RTSP and FILE only: FTP's replies are not
    // shown, its file facts come as body
    if ((cfg.include || cfg.head) && showsHeaders(info(this.easy, 'SCHEME')) && !this.#outs.write(line, false)) return 0;
    return line.length;
  }

  /** Called right before each attempt's perform (the meter restarts). */
  async beforePerform(): Promise<void> {
    this.#started = process.hrtime.bigint();
    if (this.#meter === undefined && !this.#ctx.parallel) this.#meter = await this.#progressMeter();
    if (this.#ctx.parallel) {
      this.easy.setopt(CURLOPT.XFERINFOFUNCTION as never, ((_c: unknown, dlt: number, dln: number, ult: number, uln: number) => {
        Object.assign(this.progress, { dlTotal: dlt, dlNow: dln, ulTotal: ult, ulNow: uln });
        return this.abort ? 1 : 0;
      }) as never);
      this.easy.setopt(CURLOPT.NOPROGRESS as never, 0 as never);
    }
  }

  /** curl's post_per_transfer for one finished attempt. */
  async finish(result: number): Promise<FinishResult> {
    const { cfg, easy } = this;
    let code = result;
    this.#meter?.finish(Number((process.hrtime.bigint() - this.#started) / 1000n));
    let errorText = code !== 0 ? easy.errorBuffer || easyStrerror(code) : '';
    if (code === CURLE.ABORTED_BY_CALLBACK && this.abort) errorText = 'Transfer aborted due to critical error in another transfer';
    const responseCode = Number(info(easy, 'RESPONSE_CODE') ?? 0);
    if (code !== 0) this.#error(code, errorText);
    else if (cfg.failWithBody && responseCode >= 400) {
      code = CURLE.HTTP_RETURNED_ERROR;
      errorText = `The requested URL returned error: ${responseCode}`;
      this.#error(code, errorText);
    }
    if (this.#outs.toStdout) {
      const flow = this.#ctx.stdio.stdoutFlow;
      // curl's post_per_transfer fflush()es stdout whatever the result; a failure fails a transfer that had none
      const flushOk = flow.flush();
      if (code === 0 && !flushOk) {
        code = CURLE.WRITE_ERROR;
        errorText = FLUSH_FAILED;
        this.#error(code, errorText);
      } else if (code === 0 && !(await flow.flushed())) {
        // curl's fwrite() had put every byte into the pipe when the transfer ended;
        // bytes still queued for stdout that the reader never took (it closed) fail it too
        code = CURLE.WRITE_ERROR;
        errorText = WRITE_FAILED;
        this.#error(code, errorText);
      }
    }
    // a successful transfer with no body still creates the output file, but
    // not (nor overwrites it) when no data came because a condition was unmet
    // (-z, or a 304 to --etag-compare)
    const condUnmet = Number(info(easy, 'CONDITION_UNMET') ?? 0) !== 0;
    if (code === 0 && !condUnmet && !this.#outs.opened && this.#outs.bytes === 0 && !this.#outs.toStdout && !this.#outs.open()) {
      code = CURLE.WRITE_ERROR;
    }
    const decision = this.#retry.decide({
      code,
      scheme: String(info(easy, 'SCHEME') ?? ''),
      responseCode,
      retryAfter: Number(info(easy, 'RETRY_AFTER') ?? 0),
      connRefused: Number(info(easy, 'OS_ERRNO') ?? 0) === ECONNREFUSED,
    }, Date.now());
    if (decision.warning) this.#warn(decision.warning);
    if (decision.retry) {
      if (this.#outs.bytes && this.#outs.opened) {
        if (!cfg.silent) this.#ctx.stdio.stderr(`Throwing away ${this.#outs.bytes} bytes\n`);
        if (!this.#outs.truncate()) {
          if (!cfg.silent) this.#ctx.stdio.stderr('tscurl: (23) Failed to truncate file\n');
          return this.#done(CURLE.WRITE_ERROR, 'Failed to truncate file');
        }
      }
      this.#headers.reset();
      this.#outs.dropHeld();
      return { retryMs: decision.sleepMs };
    }
    return this.#done(code, errorText);
  }

  #done(code: number, errorText: string): FinishResult {
    const { cfg, easy } = this;
    this.#upload?.close();
    this.#upload = undefined;
    const removeIt = code !== 0 && cfg.removeOnError && this.#outs.opened;
    this.#outs.close();
    this.#dump?.close();
    if (this.#etagFd !== undefined) closeSync(this.#etagFd);
    this.#etagFd = undefined;
    if (removeIt) {
      this.note(`Removing output file: ${this.#outs.filename}\n`);
      this.#outs.remove();
    } else if (cfg.remoteTime && this.#outs.filename !== undefined) {
      // -R: the output file gets the document's time, when the server told it (-1: it did not); one before
      // 1970 is negative (curl 8; 7.88 skipped it), given as a Date since Node reads negative seconds as "now"
      const ft = info(easy, 'FILETIME_T');
      if (typeof ft === 'number' && ft !== -1) {
        try {
          utimesSync(this.#outs.filename, new Date(ft * 1000), new Date(ft * 1000));
        } catch {
          // curl only warns when it cannot set the time
        }
      }
    }
    if (cfg.writeOut !== undefined) this.#writeOut(code, errorText);
    easy.cleanup();
    return { code };
  }

  #writeOut(code: number, errorText: string): void {
    const { easy } = this;
    const certs = easy.getinfo(CURLINFO.CERTINFO) as CurlCertinfo;
    const fixed: Record<string, string | number | null> = {
      errormsg: code ? errorText : null, exitcode: code, filename_effective: this.#outs.filename ?? null, url: this.#item.url,
      urlnum: this.#urlnum, num_headers: this.#headers.current.length, num_retries: this.#retry.count, num_certs: certs.numOfCerts, certs: this.#certsText?.(certs) ?? '',
      curl_version: `libtscurl/${VERSION}`,
    };
    const headers = this.#headers;
    const stdio = this.#ctx.stdio;
    this.#renderWriteOut?.(this.cfg.writeOut!, {
      exitCode: code,
      headers: () => headers.current,
      chainHeaders: () => headers.all(),
      get: (name: string) => {
        if (name in fixed) return fixed[name];
        if (name === 'http_version') {
          const v = info(easy, 'HTTP_VERSION');
          return typeof v === 'number' ? HTTP_VERSION_TEXT[v] ?? String(v) : v;
        }
        if (name === 'size_delivered') return info(easy, 'SIZE_DELIVERED');
        const key = INFO_FOR_VAR[name];
        return key ? info(easy, key) : undefined;
      },
    }, {
      stdout: (s: string) => stdio.stdout(s),
      stderr: (s: string) => stdio.stderr(s),
      warn: (s: string) => stdio.stderr(s),
      openFile: (path: string, append: boolean) => {
        const fd = openSync(path, append ? 'a' : 'w');
        return { write: (s: string) => void writeSync(fd, s), close: () => closeSync(fd) };
      },
    });
  }

  #renderWriteOut: typeof import('./write-out.js').renderWriteOut | undefined;
  #certsText: typeof import('./write-out.js').certsText | undefined;

  /** Loads the lazily imported helpers this transfer needs. */
  async load(): Promise<void> {
    if (this.cfg.writeOut !== undefined) ({ renderWriteOut: this.#renderWriteOut, certsText: this.#certsText } = await import('./write-out.js'));
  }

  /** Sets up the meter or -# bar through XFERINFOFUNCTION; undefined when none shows. */
  async #progressMeter(): Promise<{ finish(us: number): void } | undefined> {
    const { cfg, easy } = this;
    const stdio = this.#ctx.stdio;
    if (cfg.silent || cfg.noProgressMeter) return undefined;
    // curl hides the meter when the body goes to a terminal
    if (!cfg.progressBar && this.#outs.toStdout && stdio.stdoutIsTTY) return undefined;
    // curl's meter shows its first line at the first progress call: once the transfer has its connection,
    // after the lines about finding it ("Found bundle", "Re-using existing connection") and before "Trying"
    if (!cfg.progressBar) {
      // the default meter is libcurl's own (NOPROGRESS 0 without a callback), on CURLOPT_STDERR: its last
      // line comes when each request is done, before the library says what becomes of the connection
      const { Writable } = await import('node:stream');
      const err = new Writable({ write: (chunk: Buffer, _enc, done) => (stdio.stderr(chunk), done()) });
      if (easy.setopt(CURLOPT.STDERR as never, err as never) !== 0 || easy.setopt(CURLOPT.NOPROGRESS as never, 0 as never) !== 0) return undefined;
      return { finish: () => {} };
    }
    const { ProgressBar } = await import('./progress.js');
    const start = process.hrtime.bigint();
    const elapsedMs = (): number => Number((process.hrtime.bigint() - start) / 1000000n);
    const bar = new ProgressBar(Number(process.env.COLUMNS) || stdio.columns || 79);
    const f = (_clientp: unknown, dltotal: number, dlnow: number, ultotal: number, ulnow: number): number => {
      const s = bar.update(dltotal, dlnow, ultotal, ulnow, elapsedMs());
      if (s) stdio.stderr(s);
      return 0;
    };
    if (easy.setopt(CURLOPT.XFERINFOFUNCTION as never, f as never) !== 0 || easy.setopt(CURLOPT.NOPROGRESS as never, 0 as never) !== 0) return undefined;
    // post_per_transfer ends the bar's line, after the library's last words about the transfer
    return { finish: () => stdio.stderr('\n') };
  }
}

/** The schemes whose headers curl's tool_header_cb writes to the output with -i (curl 8's list). */
function showsHeaders(scheme: unknown): boolean {
  // curl's tool_header_cb: FTP's and the mail protocols' replies and GOPHER's selector echo are not shown
  return /^(https?|rtsp|file)$/i.test(String(scheme ?? ''));
}
