// --retry and its family, as curl's post_per_transfer() decides (used by the
// tool and by request()'s retry option): which
// results are transient, how long to sleep (1 s doubling up to 10 minutes,
// or a fixed --retry-delay, or the server's Retry-After), and when
// --retry-max-time forbids another attempt. Pure: the caller sleeps.
import { CURLE } from '../codes.js';

export interface RetryConfig {
  /** --retry N */
  retries: number;
  /** --retry-delay in ms; 0 means curl's backoff */
  delayMs: number;
  /** --retry-max-time in ms; 0 means no limit */
  maxTimeMs: number;
  allErrors: boolean;
  connRefused: boolean;
  /** -f: HTTP errors are results (22) that may be transient */
  failOnError: boolean;
}

const RETRY_SLEEP_DEFAULT = 1000;
const RETRY_SLEEP_MAX = 600000;
/**
 * The longest single sleep: INT_MAX ms (about 24.8 days), which is also the
 * longest delay a Node timer takes (beyond it Node warns and fires after
 * 1 ms, which would turn "Retry-After: 99999999999" into a retry storm).
 * curl sleeps through poll(), whose timeout is an int: libcurl's
 * Curl_wait_ms caps it at INT_MAX (curl 7.88's tool casts the long instead,
 * which wraps). The warning still says what the server asked for.
 */
export const RETRY_SLEEP_CAP = 2 ** 31 - 1;
/** curl keeps the sleep in a long of ms: a Retry-After over LONG_MAX/1000 s becomes LONG_MAX ms. */
const LONG_MAX_SECONDS = 9223372036854775n;

/** HTTP codes curl treats as transient (the --retry page). */
const TRANSIENT_HTTP = new Set([408, 429, 500, 502, 503, 504, 522, 524]);

const REASON = {
  allErrors: '(retrying all errors)',
  timeout: ': timeout',
  connRefused: ': connection refused',
  http: ': HTTP error',
  ftp: ': FTP error',
} as const;
type Reason = keyof typeof REASON;

/** What the finished attempt looked like. */
export interface AttemptResult {
  code: number;
  scheme: string;
  responseCode: number;
  /** CURLINFO_RETRY_AFTER in seconds (0: none) */
  retryAfter: number;
  /** the connect failure was ECONNREFUSED */
  connRefused: boolean;
}

export type RetryDecision =
  | { readonly retry: false; readonly warning?: string }
  | { readonly retry: true; readonly sleepMs: number; readonly warning: string };

/** Per-transfer retry state (curl's per->retry_numretries, retry_sleep, retrystart). */
export class RetryState {
  readonly #cfg: RetryConfig;
  #left: number;
  #sleepMs: number;
  readonly #startMs: number;
  /** attempts retried so far (write-out's num_retries) */
  count = 0;

  constructor(cfg: RetryConfig, nowMs: number) {
    this.#cfg = cfg;
    this.#left = cfg.retries;
    this.#sleepMs = cfg.delayMs || RETRY_SLEEP_DEFAULT;
    this.#startMs = nowMs;
  }

  /** Would decide() retry this result now? (Nothing changes: request() asks before it keeps a body.) */
  wouldRetry(r: AttemptResult, nowMs: number): boolean {
    return this.#plan(r, nowMs).retry;
  }

  decide(r: AttemptResult, nowMs: number): RetryDecision {
    const d = this.#plan(r, nowMs);
    if (!d.retry) return d;
    this.#left--;
    this.count++;
    if (!this.#cfg.delayMs) this.#sleepMs = Math.min(this.#sleepMs * 2, RETRY_SLEEP_MAX);
    return d;
  }

  #plan(r: AttemptResult, nowMs: number): RetryDecision {
    const cfg = this.#cfg;
    if (this.#left <= 0 || (cfg.maxTimeMs > 0 && nowMs - this.#startMs >= cfg.maxTimeMs)) return { retry: false };
    const reason = transientReason(r, cfg);
    if (!reason) return { retry: false };
    let sleepMs = this.#sleepMs;
    let seconds = String(Math.floor(sleepMs / 1000));
    if (reason === 'http' && r.retryAfter > 0) {
      sleepMs = r.retryAfter * 1000;
      seconds = BigInt(r.retryAfter) > LONG_MAX_SECONDS ? String(LONG_MAX_SECONDS) : String(r.retryAfter);
      if (cfg.maxTimeMs > 0) {
        const spent = Math.floor((nowMs - this.#startMs) / 1000);
        if (spent + r.retryAfter > cfg.maxTimeMs / 1000) {
          return {
            retry: false,
            // (curl prints this one without a newline)
            warning: 'The Retry-After: time would make this command line exceed the maximum allowed time for retries.',
          };
        }
      }
    }
    const warning = `Problem ${REASON[reason]}. Will retry in ${seconds} seconds. ${this.#left} retries left.\n`;
    return { retry: true, sleepMs: Math.min(sleepMs, RETRY_SLEEP_CAP), warning };
  }
}

function transientReason(r: AttemptResult, cfg: RetryConfig): Reason | undefined {
  const scheme = r.scheme.toLowerCase();
  let reason: Reason | undefined;
  if (r.code === CURLE.OPERATION_TIMEDOUT || r.code === CURLE.COULDNT_RESOLVE_HOST || r.code === CURLE.COULDNT_RESOLVE_PROXY || r.code === CURLE.FTP_ACCEPT_TIMEOUT) {
    reason = 'timeout';
  } else if (r.code === CURLE.COULDNT_CONNECT) {
    if (cfg.connRefused && r.connRefused) reason = 'connRefused';
  } else if (r.code === CURLE.OK || (cfg.failOnError && r.code === CURLE.HTTP_RETURNED_ERROR)) {
    if ((scheme === 'http' || scheme === 'https') && TRANSIENT_HTTP.has(r.responseCode)) reason = 'http';
  } else if ((scheme === 'ftp' || scheme === 'ftps') && Math.floor(r.responseCode / 100) === 4) {
    reason = 'ftp';
  }
  if (!reason && r.code !== CURLE.OK && cfg.allErrors) reason = 'allErrors';
  return reason;
}
