// Runs the parsed command line, as curl's tool_operate.c: every URL of every
// group (after globbing) becomes a ToolTransfer. Serially (curl's
// serial_transfers) each one is performed, retried as --retry says, and the
// exit code is the last transfer's result; --fail-early stops at the first
// failure. With -Z (parallel.ts) one Multi drives them all.
import { Share, CURLSHOPT, CURL_LOCK_DATA, CURLE } from '../index.js';
import { easyStrerror } from '../codes.js';
import { str2unum } from './tool-numbers.js';

/** curl 7.88's MAX_PARALLEL: the most transfers --parallel-max lets run at once. */
const MAX_PARALLEL = 300;
import { groupEntries, type ParsedArgs, type OptEntry } from './args.js';
import { buildConfig, unsupportedError, type TransferConfig, type UrlNode } from './transfer-config.js';
import { ParamError, HINT_LINE } from './param-error.js';
import type { GlobItem } from './glob.js';
import { traceSettings } from './trace-settings.js';
import { ToolTrace } from './tool-trace.js';
import { ToolTransfer, type ToolContext } from './tool-transfer.js';
import { warnText } from './messages.js';
import type { LibcurlSource } from './libcurl-source.js';
import type { OutputFlow } from './stdio-sink.js';
import { SerialMulti } from './serial-multi.js';
import { holdEnv } from '../util/env-cache.js';

export interface Stdio {
  /** false once stdout failed (EPIPE, ENOSPC) */
  stdout(b: Buffer | string): boolean;
  stderr(b: Buffer | string): void;
  readonly stdoutIsTTY: boolean;
  readonly columns?: number;
  /** stdout's backpressure: a transfer writing there pauses while it is backed up */
  readonly stdoutFlow: OutputFlow;
}

/** One URL to transfer, before its ToolTransfer exists. */
export interface Job {
  readonly cfg: TransferConfig;
  readonly node: UrlNode;
  readonly item: GlobItem;
  readonly urlnum: number;
  /** -T: the file (or '-' for stdin) this transfer uploads */
  readonly uploadFile?: string | undefined;
}

/** curl's is_fatal_error(): these stop the whole command line. */
export function isFatalError(code: number): boolean {
  return code === CURLE.FAILED_INIT || code === CURLE.OUT_OF_MEMORY || code === CURLE.UNKNOWN_OPTION ||
    code === 41 /* CURLE_FUNCTION_NOT_FOUND */ || code === CURLE.BAD_FUNCTION_ARGUMENT;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface GlobalOpts {
  parallel: boolean;
  parallelMax: number;
  /** --parallel-max-host (curl 8.16): connections to one host at once in parallel mode (0: no limit) */
  parallelMaxHost: number;
  parallelImmediate: boolean;
  failEarly: boolean;
  libcurl?: string;
  /** --rate: the least time from one serial transfer's start to the next one's */
  msPerTransfer: number;
}

/** Milliseconds per unit of --rate's "N/U" (curl 7.88: s, m, h, d; no unit is per hour). */
const RATE_UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60 * 1000, h: 60 * 60 * 1000, d: 24 * 60 * 60 * 1000 };

/** curl's --rate parsing: "N/U" to milliseconds per transfer, with its parameter errors. */
export function rateParameter(e: OptEntry, silent: boolean): number {
  const arg = String(e.value);
  const slash = arg.indexOf('/');
  const number = slash < 0 ? arg : arg.slice(0, slash);
  if (number.length > 25) throw ParamError.option(e.given, 'NUMBER_TOO_LARGE');
  // str2unum: a sign is "negative", anything but digits "not a number"
  if (/^\s*-/.test(number)) throw ParamError.option(e.given, 'NEGATIVE_NUMERIC');
  if (!/^\s*\+?\d+$/.test(number)) throw ParamError.option(e.given, 'BAD_NUMERIC');
  const count = Number(number);
  if (count > 2 ** 63 - 1) throw ParamError.option(e.given, 'NUMBER_TOO_LARGE');
  if (count < 1) throw ParamError.option(e.given, 'BAD_USE');
  let perMs = RATE_UNIT_MS['h']!;
  if (slash >= 0) {
    const unit = RATE_UNIT_MS[arg[slash + 1] ?? ''];
    // an errorf() line, which -s mutes
    if (unit === undefined) throw ParamError.option(e.given, 'BAD_USE', 2, silent ? [] : ['unsupported --rate unit']);
    perMs = unit;
  }
  return Math.floor(perMs / count);
}

function globalOpts(globals: readonly OptEntry[]): GlobalOpts {
  const g: GlobalOpts = { parallel: false, parallelMax: 50, parallelMaxHost: 0, parallelImmediate: false, failEarly: false, msPerTransfer: 0 };
  let silent = false;
  for (const e of globals) {
    switch (e.opt.long) {
      case 'silent': silent = e.value === true; break;
      case 'rate': g.msPerTransfer = rateParameter(e, silent); break;
      case 'parallel': g.parallel = e.value === true; break;
      case 'parallel-immediate': g.parallelImmediate = e.value === true; break;
      case 'fail-early': g.failEarly = e.value === true; break;
      case 'libcurl': g.libcurl = String(e.value); break;
      // libcurl's CURLMOPT_MAX_HOST_CONNECTIONS; more than 65535 is 65535, as curl 8.16 takes it
      case 'parallel-max-host': g.parallelMaxHost = Math.min(str2unum(e.given, String(e.value)), 65535); break;
      case 'parallel-max': {
        const n = str2unum(e.given, String(e.value));
        // curl 7.88: above MAX_PARALLEL (300) is 300, below 1 the default (later curls allow 65535)
        g.parallelMax = n > MAX_PARALLEL ? MAX_PARALLEL : n < 1 ? 50 : n;
        break;
      }
    }
  }
  return g;
}

export class Operation {
  readonly #stdio: Stdio;
  /** The URL globbing failed for some URL: curl still runs the others. */
  #globError = 0;
  /**
   * Like curl's tool, every transfer of one command line shares cookies, the
   * DNS cache and the connection pool: a second URL to the same host reuses
   * the first one's connection, and cookies carry over.
   */
  readonly #share: Share = (() => {
    const sh = new Share();
    // HSTS too, as curl 7.88's tool: an STS header from one URL upgrades the later ones, --hsts or not
    for (const kind of [CURL_LOCK_DATA.COOKIE, CURL_LOCK_DATA.DNS, CURL_LOCK_DATA.SSL_SESSION, CURL_LOCK_DATA.CONNECT, CURL_LOCK_DATA.PSL, CURL_LOCK_DATA.HSTS]) {
      sh.setopt(CURLSHOPT.SHARE, kind);
    }
    return sh;
  })();

  constructor(stdio: Stdio) {
    this.#stdio = stdio;
  }

  /** Runs every group; resolves with the process exit code. */
  async run(parsed: ParsedArgs): Promise<number> {
    // the tool never changes its environment: the library reads each variable (proxies) once per run
    const releaseEnv = holdEnv();
    try {
      return await this.#run(parsed);
    } finally {
      releaseEnv();
    }
  }

  async #run(parsed: ParsedArgs): Promise<number> {
    const configs = parsed.groups.map((g) => buildConfig(groupEntries(parsed, g)));
    for (const cfg of configs) if (cfg.unsupported.length) throw unsupportedError(cfg.unsupported[0]!);
    // curl refuses -J with -C - (the server names the file after the offset was taken from another);
    // 7.88's parse_args checks only the last --next group, so an earlier group with both runs. -J with
    // -i is allowed, as curl 8.10+ and its cases 1460/1492 do (7.88 refused it; test/security/cli-tool)
    const last = configs[configs.length - 1];
    if (last?.contentDisposition && last.resume === 'current') {
      throw new ParamError(['--continue-at - and --remote-header-name cannot be combined', HINT_LINE]);
    }
    if (!configs.some((c) => c.urls.some((u) => u.url !== undefined))) throw new ParamError(['no URL specified!', HINT_LINE]);
    for (const cfg of configs) if (!cfg.silent) for (const w of cfg.warnings) this.#stdio.stderr(warnText(w));
    const silent = configs.every((c) => c.silent);
    const settings = traceSettings(parsed.globals, (m) => {
      if (!silent) this.#stdio.stderr(warnText(m));
    });
    const g = globalOpts(parsed.globals);
    let libcurl: LibcurlSource | undefined;
    if (g.libcurl !== undefined) {
      const { LibcurlSource } = await import('./libcurl-source.js');
      libcurl = new LibcurlSource(g.libcurl);
    }
    const trace = new ToolTrace(settings, {
      stdout: (s) => void this.#stdio.stdout(Buffer.from(s, 'latin1')),
      stderr: (s) => this.#stdio.stderr(Buffer.from(s, 'latin1')),
      stdoutIsTTY: this.#stdio.stdoutIsTTY,
    });
    const ctx: ToolContext = { stdio: this.#stdio, share: this.#share, trace, parallel: g.parallel, ...(libcurl ? { libcurl } : {}) };
    let code: number;
    try {
      if (g.parallel && configs.some(lacksUrl)) {
        // curl 7.88's parallel mode creates transfers before any runs: the --next group with no URL
        // fails them all, and the failure is reported as the transfer result it is
        this.#noUrl();
        this.#stdio.stderr(`tscurl: (${CURLE.FAILED_INIT}) ${easyStrerror(CURLE.FAILED_INIT)}\n`);
        code = CURLE.FAILED_INIT;
      } else if (g.parallel) {
        const { runParallel } = await import('./parallel.js');
        code = await runParallel(ctx, this.#jobs(configs), {
          max: g.parallelMax, maxHost: g.parallelMaxHost, immediate: g.parallelImmediate, failEarly: g.failEarly,
          // curl 7.88's parallel meter ignores -s (its progress_meter() looks at --no-progress-meter alone)
          meter: !configs.some((c) => c.noProgressMeter),
        });
      } else {
        code = await this.#runSerial(ctx, this.#jobs(configs), g.failEarly, g.msPerTransfer);
      }
    } finally {
      // curl's tool ends with curl_share_cleanup: the pooled connections close (FTP's QUIT, IMAP's LOGOUT, POP3's and SMTP's QUIT)
      this.#share.cleanup();
      trace.close();
      libcurl?.write((s) => this.#stdio.stdout(s));
    }
    // curl warns after the transfers (unless -s)
    for (const cfg of configs) {
      if (!cfg.silent && cfg.urls.some((u) => u.url === undefined)) this.#stdio.stderr('Warning: Got more output options than URLs\n');
    }
    return code || this.#globError;
  }

  /** Every URL of the command line, in order, globs expanded lazily. */
  async *#jobs(configs: readonly TransferConfig[]): AsyncGenerator<Job> {
    let urlnum = 0;
    for (const cfg of configs) {
      // a last --next group with no URL: curl's transfer_per_config() fails when it gets there
      if (lacksUrl(cfg)) throw new NoUrlSpecified();
      for (const node of cfg.urls) {
        if (node.url === undefined) continue; // curl: "Got more output options than URLs" is only a warning
        if (node.uploadFile === undefined && !needsGlob(cfg, node.url)) {
          // the common case, kept small: one URL as it is
          yield { cfg, node, item: { url: node.url, values: [] }, urlnum: urlnum++, uploadFile: undefined };
          continue;
        }
        if (yield* this.#nodeJobs(cfg, node, node.url, urlnum)) urlnum++;
      }
    }
  }

  /**
   * The jobs of one URL node with globs or -T: every upload file to every URL
   * of the glob (curl's inglob loop). Returns false when the -T name's glob
   * was bad: the node then takes no URL number.
   */
  async *#nodeJobs(cfg: TransferConfig, node: UrlNode, url: string, urlnum: number): AsyncGenerator<Job, boolean> {
    const uploads = node.uploadFile === undefined ? [undefined] : (await this.#expand(cfg, node.uploadFile))?.map((g) => g.url);
    if (!uploads) return false;
    for (const uploadFile of uploads) {
      const glob = await this.#expand(cfg, url);
      if (!glob) continue;
      for (const item of glob) yield { cfg, node, item, urlnum, uploadFile };
    }
    return true;
  }

  /** A URL (or -T name) with its globs expanded; undefined after reporting a bad glob. */
  async #expand(cfg: TransferConfig, url: string): Promise<GlobItem[] | undefined> {
    // no glob syntax (or --globoff): the URL itself, without loading the glob parser
    if (!needsGlob(cfg, url)) return [{ url, values: [] }];
    const { UrlGlob, isGlobError, formatGlobError } = await import('./glob.js');
    const glob = UrlGlob.parse(url);
    if (isGlobError(glob)) {
      if (!cfg.silent || cfg.showError) this.#stdio.stderr(`tscurl: (${CURLE.URL_MALFORMAT}) ${formatGlobError(url, glob)}\n`);
      this.#globError = CURLE.URL_MALFORMAT;
      return undefined;
    }
    return [...glob];
  }

  /** curl's serial_transfers(); a --next group with no URL ends it as curl's transfer_per_config() does. */
  async #runSerial(ctx: ToolContext, jobs: AsyncGenerator<Job>, failEarly: boolean, msPerTransfer: number): Promise<number> {
    const multi = new SerialMulti();
    try {
      return await this.#serialLoop(ctx, jobs, multi, failEarly, msPerTransfer);
    } catch (e) {
      if (!(e instanceof NoUrlSpecified)) throw e;
      this.#noUrl();
      return CURLE.FAILED_INIT;
    } finally {
      multi.cleanup();
    }
  }

  /** curl's helpf() for a --next group without a URL: printed even under -s. */
  #noUrl(): void {
    this.#stdio.stderr(`tscurl: no URL specified!\ntscurl: ${HINT_LINE}\n`);
  }

  async #serialLoop(ctx: ToolContext, jobs: AsyncGenerator<Job>, multi: SerialMulti, failEarly: boolean, msPerTransfer: number): Promise<number> {
    let returncode = 0;
    let last: { t: ToolTransfer; start: number } | null = null;
    for await (const job of jobs) {
      // --rate: a next transfer starts no sooner than msPerTransfer after the last one started
      if (last && msPerTransfer > 0) await this.#rateWait(last.t, last.start, msPerTransfer);
      last = null;
      this.#globError = 0;
      const t = new ToolTransfer(ctx, job.cfg, job.node, job.item, job.urlnum, job.uploadFile);
      await t.load();
      const rc = await t.setup();
      if (rc === 'skip') continue;
      if (rc !== CURLE.OK) return rc;
      const start = performance.now();
      last = { t, start };
      for (;;) {
        await t.beforePerform();
        const r = await t.finish(await multi.perform(t.easy));
        if ('retryMs' in r) {
          await sleep(r.retryMs);
          continue;
        }
        returncode = r.code;
        break;
      }
      if (isFatalError(returncode) || (returncode && failEarly)) break;
    }
    return returncode;
  }

  async #rateWait(t: ToolTransfer, start: number, msPerTransfer: number): Promise<void> {
    const took = Math.floor(performance.now() - start);
    if (took >= msPerTransfer) return;
    t.note(`Transfer took ${took} ms, waits ${msPerTransfer - took}ms as set by --rate\n`);
    await sleep(msPerTransfer - took);
  }
}

/** What makes a URL more than itself to curl's glob parser: without these it is one literal pattern. */
const GLOB_SYNTAX = /[[\]{}]/;

/** Does `url` need the glob parser (not with --globoff, not without brackets or braces)? */
const needsGlob = (cfg: TransferConfig, url: string): boolean => !cfg.globoff && GLOB_SYNTAX.test(url);

/** A --next group that names no URL (curl: url_list empty or its first node without one). */
const lacksUrl = (cfg: TransferConfig): boolean => !cfg.urls.some((u) => u.url !== undefined);

/** Thrown by the job list when it reaches a group with no URL. */
class NoUrlSpecified extends Error {}
