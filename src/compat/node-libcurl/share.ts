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
    if (arguments.length < 2) throw new TypeError('Wrong number of arguments');
    if (typeof value !== 'number') throw new TypeError('Option value must be an integer.');
    const id = typeof option === 'string' ? ({ SHARE: 1, UNSHARE: 2 } as Record<string, number>)[option] : option;
    if (id !== 1 && id !== 2) return CURLSHE.BAD_OPTION;
    return this.#inner.setopt(id, value);
  }

  /**
   * curl_share_cleanup. As in node-libcurl the share is closed even while easy
   * handles still use it (libcurl refuses the cleanup then: the shared data
   * lives on with those handles); closing twice throws CurlSharedError.
   */
  close(): void {
    if (!this.#open) throw shareError('Share handle already closed.', CURLSHE.INVALID);
    this.#open = false;
    this.#inner.cleanup();
  }

  /** curl_share_strerror (node-libcurl's addon has it as a static method, its types as an instance one) */
  static strError(errorCode: number): string {
    if (typeof errorCode !== 'number') throw new TypeError('Invalid errCode passed to Share.strError.');
    return shareStrerror(errorCode as never);
  }

  strError(errorCode: number): string {
    return Share.strError(errorCode);
  }
}
