// node-libcurl's Share on a tscurl Share: setOpt(CurlShareOption, CurlShareLock)
// answers the CURLSHcode; a closed share throws CurlSharedError.
import { Share as TscShare, CURLSHE, shareStrerror } from '../../index.js';
import { shareError } from './errors.js';

const inners = new WeakMap<Share, TscShare>();
/** The tscurl Share behind a compat Share (for Easy's SHARE option). */
export function innerShare(share: Share): TscShare {
  return inners.get(share)!;
}

export class Share {
  readonly #inner = new TscShare();
  #open = true;

  constructor() {
    inners.set(this, this.#inner);
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** curl_share_setopt with CURLSHOPT_SHARE (1) or UNSHARE (2) and a CURL_LOCK_DATA kind. */
  setOpt(option: number | string, value: number): number {
    if (!this.#open) throw shareError('Share handle is closed.', CURLSHE.INVALID);
    const id = typeof option === 'string' ? ({ SHARE: 1, UNSHARE: 2 } as Record<string, number>)[option.toUpperCase()] : option;
    if (id !== 1 && id !== 2) return CURLSHE.BAD_OPTION;
    if (typeof value !== 'number') throw new TypeError('Option value must be an integer.');
    return this.#inner.setopt(id, value);
  }

  /** curl_share_cleanup; throws CurlSharedError while easy handles still use the share. */
  close(): void {
    if (!this.#open) return;
    const code = this.#inner.cleanup();
    if (code !== CURLSHE.OK) throw shareError('curl_share_cleanup failed', code, true);
    this.#open = false;
  }

  /** curl_share_strerror */
  strError(errorCode: number): string {
    return shareStrerror(errorCode as never);
  }
}
