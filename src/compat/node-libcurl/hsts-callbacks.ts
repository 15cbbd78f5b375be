// node-libcurl's HSTS callbacks on tscurl's. HSTSREADFUNCTION gets
// { maxHostLengthBytes } and returns an entry { host, includeSubDomains?,
// expire? }, an array of them (handed to libcurl one per call) or null for
// "no more"; HSTSWRITEFUNCTION gets each saved entry and { index, total }
// and returns a CurlHstsCallback value.
import { CURLSTS, type CurlHstsEntry, type CurlIndex } from '../../index.js';
import type { CallbackHost } from './callbacks.js';

interface CacheEntry {
  host: string;
  includeSubDomains?: boolean | null;
  expire?: string | null;
}

const READ_TYPE_ERROR = 'Return value from the HSTSREADFUNCTION callback must be one of the following:\n'
  + '  - Object matching the type CurlHstsEntry\n  - An array matching the type CurlHstsEntry[]\n  - null';

function isEntry(v: unknown): v is CacheEntry {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const e = v as Record<string, unknown>;
  return typeof e.host === 'string'
    && (e.includeSubDomains === undefined || e.includeSubDomains === null || typeof e.includeSubDomains === 'boolean')
    && (e.expire === undefined || e.expire === null || typeof e.expire === 'string');
}

export function adaptHstsRead(fn: (...args: unknown[]) => unknown, host: CallbackHost): (easy: unknown, sts: CurlHstsEntry) => number {
  let queue: unknown[] = [];
  let fromArray = false;
  return (_easy, sts) => {
    let next: unknown;
    if (queue.length > 0) {
      next = queue.shift();
    } else {
      // the array the callback gave is used up: that read round is over
      if (fromArray) {
        fromArray = false;
        return CURLSTS.DONE;
      }
      try {
        next = fn.call(host.self, { maxHostLengthBytes: sts.namelen });
      } catch (err) {
        host.callbackFailed(err);
        return CURLSTS.FAIL;
      }
      if (Array.isArray(next)) {
        if (next.length === 0) return CURLSTS.DONE;
        queue = next.slice(1);
        next = next[0];
        fromArray = true;
      }
    }
    if (next === null || next === undefined) return CURLSTS.DONE;
    if (!isEntry(next)) {
      queue = [];
      fromArray = false;
      host.callbackFailed(new TypeError(READ_TYPE_ERROR));
      return CURLSTS.FAIL;
    }
    if (next.host.length > sts.namelen) {
      host.callbackFailed(new Error('The host property value returned from the HSTSREADFUNCTION callback function was invalid. The host string is too long.'));
      return CURLSTS.FAIL;
    }
    sts.name = next.host;
    sts.includeSubDomains = next.includeSubDomains === true;
    sts.expire = next.expire ?? '';
    return CURLSTS.OK;
  };
}

export function adaptHstsWrite(fn: (...args: unknown[]) => unknown, host: CallbackHost): (easy: unknown, sts: Readonly<CurlHstsEntry>, count: CurlIndex) => number {
  return (_easy, sts, count) => {
    try {
      const entry = { host: sts.name, includeSubDomains: sts.includeSubDomains, expire: sts.expire === 'unlimited' ? null : sts.expire };
      const r = fn.call(host.self, entry, { index: count.index, total: count.total, count: count.total });
      if (typeof r !== 'number') {
        host.callbackFailed(new TypeError('Return value from the HSTSWRITEFUNCTION callback must be a number.'));
        return CURLSTS.FAIL;
      }
      return r;
    } catch (err) {
      host.callbackFailed(err);
      return CURLSTS.FAIL;
    }
  };
}
