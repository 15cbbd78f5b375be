// Runs the parsed command line: for every group, every URL (after globbing)
// gets an Easy configured from the group's TransferConfig, then perform().
// Body bytes go to stdout or the -o/-O file; headers to -D / -i; -v prints
// curl's "* ", "> ", "< " lines; -w renders after each transfer. The exit
// code is the last failing transfer's CURLcode, as curl's.
import { mkdirSync, openSync, writeSync, closeSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Easy, Share, CURLSHOPT, CURL_LOCK_DATA, CURLOPT, CURLINFO, CURLE, easyStrerror, VERSION } from '../index.js';
import { groupEntries, type ParsedArgs } from './args.js';
import { buildConfig, methodConflict, unsupportedError, type TransferConfig, type UrlNode } from './transfer-config.js';
import { ParamError, HINT_LINE, warningText } from './param-error.js';
import type { GlobItem } from './glob.js';
import type { CurlCertinfo } from '../index.js';
import { certsText } from './write-out.js';

export interface Stdio {
  stdout(b: Buffer | string): void;
  stderr(b: Buffer | string): void;
  readonly stdoutIsTTY: boolean;
  readonly columns?: number;
}

/** A lazily opened output file, or stdout. */
class Sink {
  #fd: number | undefined;
  readonly #path: string | undefined;
  readonly #createDirs: boolean;
  readonly #stdio: Stdio;
  /** a resumed download appends to what the file already has (curl's "ab") */
  readonly #append: boolean;
  constructor(path: string | undefined, createDirs: boolean, stdio: Stdio, append = false) {
    this.#path = path === '-' ? undefined : path;
    this.#createDirs = createDirs;
    this.#stdio = stdio;
    this.#append = append;
  }
  get path(): string | undefined {
    return this.#path;
  }
  get toStdout(): boolean {
    return this.#path === undefined;
  }
  write(b: Buffer | string): boolean {
    if (this.#path === undefined) {
      this.#stdio.stdout(b);
      return true;
    }
    try {
      if (this.#fd === undefined) {
        if (this.#createDirs) mkdirSync(dirname(this.#path), { recursive: true });
        this.#fd = openSync(this.#path, this.#append ? 'a' : 'w');
      }
      writeSync(this.#fd, typeof b === 'string' ? Buffer.from(b) : b);
      return true;
    } catch {
      return false;
    }
  }
  /** curl creates the file even for an empty body. */
  close(ok: boolean): void {
    if (this.#fd === undefined && ok && this.#path !== undefined) this.write(Buffer.alloc(0));
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

const INFO_FOR_VAR: Record<string, string> = {
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

function info(easy: Easy, key: string): string | number | null | undefined {
  const id = (CURLINFO as Record<string, number>)[key];
  if (id === undefined) return undefined;
  try {
    const v = easy.getinfo(id as never) as unknown;
    return typeof v === 'string' || typeof v === 'number' ? v : v === null ? null : undefined;
  } catch {
    return undefined; // not supported yet by the library
  }
}

const HTTP_VERSION_TEXT: Record<number, string> = { 0: '0', 1: '1', 2: '1.1', 3: '2', 30: '3' };

/** curl's -O name: the URL path's last segment, without query or fragment. */
function remoteName(url: string): string {
  const path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').replace(/[?#].*$/, '');
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

export class Operation {
  readonly #stdio: Stdio;
  #lastError = 0;
  /**
   * Like curl's tool, every transfer of one command line shares cookies, the
   * DNS cache, TLS sessions and the connection pool: a second URL to the same host reuses
   * the first one's connection, and cookies carry over.
   */
  #share: Share = (() => {
    const sh = new Share();
    for (const kind of [CURL_LOCK_DATA.COOKIE, CURL_LOCK_DATA.DNS, CURL_LOCK_DATA.SSL_SESSION, CURL_LOCK_DATA.CONNECT, CURL_LOCK_DATA.PSL]) {
      sh.setopt(CURLSHOPT.SHARE, kind);
    }
    return sh;
  })();
  constructor(stdio: Stdio) {
    this.#stdio = stdio;
  }

  #fail(cfg: TransferConfig, code: number, message: string): void {
    if (!cfg.silent || cfg.showError) this.#stdio.stderr(`tscurl: (${code}) ${message}\n`);
  }

  /** Runs every group; resolves with the process exit code. */
  async run(parsed: ParsedArgs): Promise<number> {
    const configs = parsed.groups.map((g) => buildConfig(groupEntries(parsed, g)));
    for (const cfg of configs) if (cfg.unsupported.length) throw unsupportedError(cfg.unsupported[0]!);
    for (const cfg of configs) for (const w of cfg.warnings) if (!cfg.silent) this.#stdio.stderr(`Warning: ${w}\n`);
    if (!configs.some((c) => c.urls.some((u) => u.url !== undefined))) throw new ParamError(['no URL specified!', HINT_LINE]);
    let urlnum = 0;
    for (const cfg of configs) {
      for (const node of cfg.urls) {
        if (node.url === undefined) continue; // curl: "Got more output options than URLs" is only a warning
        // -T may glob too: every upload file goes to every URL of the node (curl's inglob loop)
        const uploads = node.uploadFile === undefined ? [undefined] : (await this.#expand(cfg, node.uploadFile))?.map((g) => g.url);
        if (!uploads) continue;
        for (const uploadFile of uploads) {
          const items = await this.#expand(cfg, node.url);
          if (!items) continue;
          for (const item of items) {
            // curl exits with the result of the last transfer it ran
            const code = await this.#transfer(cfg, node, item, urlnum, uploadFile);
            this.#lastError = code;
            if (code !== 0 && cfg.failEarly) return code;
          }
        }
        urlnum++;
      }
    }
    // curl warns after the transfers (unless -s)
    for (const cfg of configs) {
      if (!cfg.silent && cfg.urls.some((u) => u.url === undefined)) this.#stdio.stderr('Warning: Got more output options than URLs\n');
    }
    return this.#lastError;
  }

  async #expand(cfg: TransferConfig, url: string): Promise<GlobItem[] | undefined> {
    const { UrlGlob, isGlobError, formatGlobError } = await import('./glob.js');
    const g = cfg.globoff ? UrlGlob.literal(url) : UrlGlob.parse(url);
    if (isGlobError(g)) {
      this.#fail(cfg, CURLE.URL_MALFORMAT, formatGlobError(url, g));
      this.#lastError = CURLE.URL_MALFORMAT;
      return undefined;
    }
    return [...g];
  }

  async #transfer(cfg: TransferConfig, node: UrlNode, item: GlobItem, urlnum: number, uploadFile: string | undefined): Promise<number> {
    let outName: string | undefined;
    if (node.outfile !== undefined) {
      const { globOutputName } = await import('./glob.js');
      outName = globOutputName(node.outfile, item);
    } else if (node.remoteName || cfg.remoteNameAll) {
      outName = remoteName(item.url);
      if (!outName) {
        this.#fail(cfg, CURLE.WRITE_ERROR, 'Remote file name has no length!');
        return CURLE.WRITE_ERROR;
      }
    }
    if (outName !== undefined && outName !== '-' && cfg.outputDir && !outName.startsWith('/')) outName = join(cfg.outputDir, outName);
    // -C: `-C -` resumes from the output file's size; a resumed download appends to the file
    let resume = cfg.resume === 'current' ? 0 : cfg.resume ?? 0;
    const toFile = outName !== undefined && outName !== '-';
    // an upload with `-C -` leaves it to the library: -1 means "the remote size is unknown"
    if (cfg.resume === 'current' && uploadFile !== undefined) resume = -1;
    else if (cfg.resume === 'current' && toFile) {
      try {
        resume = statSync(outName!).size;
      } catch {
        resume = 0;
      }
    }
    const body = new Sink(outName, cfg.createDirs, this.#stdio, toFile && resume > 0);
    const dump = cfg.dumpHeader !== undefined ? new Sink(cfg.dumpHeader, cfg.createDirs, this.#stdio) : undefined;
    const headers: [string, string][] = [];
    const easy = new Easy();
    const setopt = (id: number, value: unknown): number => easy.setopt(id as never, value as never);
    setopt(CURLOPT.SHARE, this.#share);
    // like curl's tool (not libcurl), send a User-Agent unless -A says otherwise
    setopt(CURLOPT.USERAGENT, `tscurl/${VERSION}`);
    setopt(CURLOPT.TCP_KEEPALIVE, 1); // curl's tool turns keep-alive probes on unless --no-keepalive
    for (const step of cfg.steps) {
      const rc = setopt(step.id, step.value);
      if (rc === CURLE.NOT_BUILT_IN || rc === CURLE.UNKNOWN_OPTION) throw unsupportedError(step.flag);
      if (rc !== CURLE.OK) {
        this.#fail(cfg, rc, easyStrerror(rc));
        return rc;
      }
    }
    if (cfg.resume !== undefined) setopt(CURLOPT.RESUME_FROM_LARGE, resume);
    // -G: curl appends the data to the query with '?' or '&'
    let url = cfg.getQuery === undefined ? item.url : item.url + (item.url.includes('?') ? '&' : '?') + cfg.getQuery;
    // single_transfer()'s SetHTTPrequest for -d, then -T: a second kind is an error (exit 2)
    {
      let req = cfg.httpreq;
      for (const [want, on] of [['post', cfg.postData !== undefined && !cfg.useGet], ['put', uploadFile !== undefined]] as const) {
        if (!on) continue;
        if (req !== undefined && req !== want) {
          if (!cfg.silent) this.#stdio.stderr(warningText(methodConflict(want, req)));
          easy.cleanup();
          return CURLE.FAILED_INIT;
        }
        req = want;
      }
    }
    let upload: { close(): void } | undefined;
    if (uploadFile !== undefined) {
      const { setupUpload, addFileNameToUrl } = await import('./upload-source.js');
      if (uploadFile !== '-' && uploadFile !== '.') url = addFileNameToUrl(url, uploadFile);
      upload = await setupUpload(easy, uploadFile);
      if (!upload) {
        // curl says this even with -s, then the transfer's own error
        this.#stdio.stderr(`tscurl: Can't open '${uploadFile}'!\ntscurl: ${HINT_LINE}\n`);
        this.#fail(cfg, CURLE.READ_ERROR, easyStrerror(CURLE.READ_ERROR));
        easy.cleanup();
        return CURLE.READ_ERROR;
      }
    }
    if (cfg.form) {
      const { buildFormMime } = await import('./form-mime.js');
      const warn = (w: string): void => {
        if (!cfg.silent) this.#stdio.stderr(`Warning: ${w}\n`);
      };
      const f = await buildFormMime(easy, cfg.form, warn);
      if (f.warning) warn(f.warning);
      if (f.code !== CURLE.OK) {
        this.#fail(cfg, f.code, easyStrerror(f.code));
        easy.cleanup();
        return f.code;
      }
      setopt(CURLOPT.MIMEPOST, f.mime);
    }
    setopt(CURLOPT.URL, url);
    setopt(CURLOPT.WRITEFUNCTION, (data: Buffer) => (body.write(data) ? data.length : 0));
    const showHeaders = cfg.include || cfg.head;
    setopt(CURLOPT.HEADERFUNCTION, (line: Buffer) => {
      const text = line.toString('latin1');
      if (/^HTTP\/\S+ \d/.test(text)) headers.length = 0; // %header{} wants the last response only
      const m = /^([^:\s]+):\s*(.*?)\r?\n?$/.exec(text);
      if (m) headers.push([m[1]!, m[2]!]);
      if (dump && !dump.write(line)) return 0;
      if (showHeaders && !body.write(line)) return 0;
      return line.length;
    });
    if (cfg.verbose) {
      const { VerboseTrace } = await import('./verbose.js');
      const trace = new VerboseTrace(this.#stdio.stdoutIsTTY);
      setopt(CURLOPT.VERBOSE, 1);
      setopt(CURLOPT.DEBUGFUNCTION, (_easy: Easy, type: number, data: Buffer) => {
        const s = trace.format(type, data);
        if (s) this.#stdio.stderr(s);
        return 0;
      });
    }
    // like curl's tool, gather the certificate chain only when -w shows it
    if (cfg.writeOut !== undefined && /%\{(num_)?certs\}/.test(cfg.writeOut)) setopt(CURLOPT.CERTINFO, 1);
    const meter = await this.#progress(cfg, easy, body.toStdout);
    const started = process.hrtime.bigint();
    const code = await easy.perform();
    upload?.close();
    if (meter) meter.finish(Number((process.hrtime.bigint() - started) / 1000n));
    body.close(code === 0);
    dump?.close(code === 0);
    if (cfg.remoteTime && toFile) {
      // -R: the output file gets the document's time, when the server told it
      const ft = info(easy, 'FILETIME_T');
      if (typeof ft === 'number' && ft >= 0) {
        try {
          utimesSync(outName!, ft, ft);
        } catch {
          // curl only warns when it cannot set the time
        }
      }
    }
    const errorText = code !== 0 ? easy.errorBuffer || easyStrerror(code) : '';
    if (code !== 0) this.#fail(cfg, code, errorText);
    if (cfg.writeOut !== undefined) {
      const { renderWriteOut } = await import('./write-out.js');
      const certs = easy.getinfo(CURLINFO.CERTINFO) as CurlCertinfo;
      const fixed: Record<string, string | number | null> = {
        errormsg: code ? errorText : null, exitcode: code, filename_effective: outName ?? null, url: item.url, urlnum,
        num_headers: headers.length, num_retries: 0, num_certs: certs.numOfCerts, certs: certsText(certs), curl_version: `libtscurl/${VERSION}`,
      };
      renderWriteOut(cfg.writeOut, {
        exitCode: code,
        headers: () => headers,
        get: (name) => {
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
        stdout: (s) => this.#stdio.stdout(s),
        stderr: (s) => this.#stdio.stderr(s),
        warn: (s) => this.#stdio.stderr(s),
        openFile: (path, append) => {
          const fd = openSync(path, append ? 'a' : 'w');
          return { write: (s) => void writeSync(fd, s), close: () => closeSync(fd) };
        },
      });
    }
    easy.cleanup();
    return code;
  }

  /** Sets up the meter or -# bar through XFERINFOFUNCTION; undefined when none shows. */
  async #progress(cfg: TransferConfig, easy: Easy, toStdout: boolean): Promise<{ finish(us: number): void } | undefined> {
    if (cfg.silent || cfg.noProgressMeter) return undefined;
    // curl hides the meter when the body goes to a terminal
    if (!cfg.progressBar && toStdout && this.#stdio.stdoutIsTTY) return undefined;
    const { ProgressMeter, ProgressBar } = await import('./progress.js');
    const start = process.hrtime.bigint();
    const elapsedUs = (): number => Number((process.hrtime.bigint() - start) / 1000n);
    let last = [0, 0, 0, 0] as [number, number, number, number];
    let cb: (a: number, b: number, c: number, d: number) => string;
    let final: (us: number) => string;
    if (cfg.progressBar) {
      const bar = new ProgressBar(Number(process.env.COLUMNS) || this.#stdio.columns || 79);
      cb = (a, b, c, d) => bar.update(a, b, c, d, elapsedUs() / 1000);
      final = () => '\n';
    } else {
      const meter = new ProgressMeter();
      cb = (a, b, c, d) => meter.update(a, b, c, d, elapsedUs());
      final = (us) => meter.update(last[0], last[1], last[2], last[3], us, true);
    }
    const f = (_clientp: unknown, dltotal: number, dlnow: number, ultotal: number, ulnow: number): number => {
      last = [dltotal, dlnow, ultotal, ulnow];
      const s = cb(dltotal, dlnow, ultotal, ulnow);
      if (s) this.#stdio.stderr(s);
      return 0;
    };
    if (easy.setopt(CURLOPT.XFERINFOFUNCTION as never, f as never) !== 0 || easy.setopt(CURLOPT.NOPROGRESS as never, 0 as never) !== 0) return undefined;
    // curl's meter shows its first line as the transfer starts
    if (!cfg.progressBar) this.#stdio.stderr(cb(0, 0, 0, 0));
    return { finish: (us) => this.#stdio.stderr(final(us)) };
  }
}
