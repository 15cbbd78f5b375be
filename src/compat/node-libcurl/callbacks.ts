// node-libcurl's callback shapes on top of tscurl's. node-libcurl calls a
// WRITE/HEADER/READ callback as (buffer, size, nmemb) with `this` the Easy,
// a progress callback as (dltotal, dlnow, ultotal, ulnow), DEBUGFUNCTION as
// (type, data), SEEKFUNCTION as (offset, origin), TRAILERFUNCTION as () =>
// string[] | false, PREREQFUNCTION as (primaryIp, localIp, primaryPort,
// localPort), CHUNK_BGN_FUNCTION as (fileInfo, remains), CHUNK_END_FUNCTION
// as (), FNMATCH_FUNCTION as (pattern, name), INTERLEAVEFUNCTION as (buffer,
// size, nmemb) like WRITEFUNCTION, SSH_HOSTKEYFUNCTION as (keytype, key) with
// keytype a CurlSshKeyType. The body, header, RTP and key Buffers are copies the callback may keep,
// as node-libcurl's addon copies them (tscurl's own are only valid during
// the call).
//
// What a callback throws, or a return value that is not a number, does not
// escape into the engine: it is kept as the handle's callback error and the
// callback answers its failure value, as node-libcurl's addon does when the
// handle is in a Multi (the transfer then fails, and the error reaches the
// 'error' event or the Multi's message, see multi.ts).
import type { FileInfo } from './types.js';
import type { CurlFileInfo } from '../../index.js';
import { CURL_READFUNC_ABORT, CURL_READFUNC_PAUSE, CURL_WRITEFUNC_PAUSE, CURLKHMATCH, CURLKHTYPE } from '../../index.js';
import { CurlSshKeyType } from './enums.js';
import { adaptHstsRead, adaptHstsWrite } from './hsts-callbacks.js';

/** The part of the compat Easy the adapters need. */
export interface CallbackHost {
  /** the node-libcurl Easy the callbacks see as `this` */
  readonly self: object;
  /** records what a callback threw (the first one of a transfer wins) */
  callbackFailed(error: unknown): void;
  /** the callback returned CURL_WRITEFUNC_PAUSE / CURL_READFUNC_PAUSE */
  pausedBy(bits: number): void;
}

type AnyFn = (...args: unknown[]) => unknown;
const PAUSE_RECV = 1;
const PAUSE_SEND = 4;

function integerResult(host: CallbackHost, value: unknown, what: string): number | undefined {
  if (typeof value === 'number') return value;
  host.callbackFailed(new TypeError(`Return value from the ${what} callback must be an integer.`));
  return undefined;
}

/** The tscurl callback for function option `name` that calls node-libcurl-style `fn`, or undefined if not adapted. */
export function adaptCallback(name: string, fn: AnyFn, host: CallbackHost): ((...args: never[]) => unknown) | undefined {
  const self = host.self;
  const guarded = (failure: number, what: string, call: () => unknown): number => {
    try {
      const r = integerResult(host, call(), what);
      return r === undefined ? failure : r;
    } catch (err) {
      host.callbackFailed(err);
      return failure;
    }
  };
  switch (name) {
    case 'WRITEFUNCTION':
    case 'HEADERFUNCTION': {
      const what = name === 'WRITEFUNCTION' ? 'WRITE' : 'HEADER';
      return (data: Buffer): number => {
        const copy = Buffer.from(data);
        const r = guarded(-1, what, () => fn.call(self, copy, 1, copy.length));
        if (r === CURL_WRITEFUNC_PAUSE) host.pausedBy(PAUSE_RECV);
        return r;
      };
    }
    case 'READFUNCTION':
      return (buf: Buffer): number => {
        const r = guarded(CURL_READFUNC_ABORT, 'READ', () => fn.call(self, buf, 1, buf.length));
        if (r === CURL_READFUNC_PAUSE) host.pausedBy(PAUSE_SEND);
        return r;
      };
    case 'XFERINFOFUNCTION':
    case 'PROGRESSFUNCTION': {
      const what = name === 'XFERINFOFUNCTION' ? 'XFERINFO' : 'PROGRESS';
      return (_clientp: unknown, dltotal: number, dlnow: number, ultotal: number, ulnow: number): number =>
        guarded(1, what, () => fn.call(self, dltotal, dlnow, ultotal, ulnow));
    }
    case 'DEBUGFUNCTION':
      return (_easy: unknown, type: number, data: Buffer): number =>
        guarded(1, 'DEBUG', () => fn.call(self, type, Buffer.from(data)));
    case 'SEEKFUNCTION':
      return (_userdata: unknown, offset: number, origin: number): number =>
        guarded(1, 'SEEK', () => fn.call(self, offset, origin));
    case 'PREREQFUNCTION':
      return (_clientp: unknown, primaryIp: string, localIp: string, primaryPort: number, localPort: number): number =>
        guarded(1, 'PREREQ', () => fn.call(self, primaryIp, localIp, primaryPort, localPort));
    case 'TRAILERFUNCTION':
      return (list: string[]): number => {
        try {
          const r = fn.call(self);
          if (r === false) return 1; // CURL_TRAILERFUNC_ABORT
          if (!Array.isArray(r) || r.some((s) => typeof s !== 'string')) {
            host.callbackFailed(new TypeError('Return value from the TRAILER callback must be an array of strings or false.'));
            return 1;
          }
          list.push(...(r as string[]));
          return 0;
        } catch (err) {
          host.callbackFailed(err);
          return 1;
        }
      };
    // FTP wildcards: node-libcurl's FileInfo (camelCase, time as a Date, names as UTF-8) and no *DATA argument
    case 'CHUNK_BGN_FUNCTION':
      return (info: CurlFileInfo, _data: unknown, remains: number): number =>
        guarded(1, 'CHUNK_BGN', () => fn.call(self, nodeFileInfo(info), remains));
    case 'CHUNK_END_FUNCTION':
      return (): number => guarded(1, 'CHUNK_END', () => fn.call(self));
    case 'FNMATCH_FUNCTION':
      return (_data: unknown, pattern: string, name: string): number =>
        guarded(2, 'FNMATCH', () => fn.call(self, utf8(pattern), utf8(name)));
    // RTSP: each interleaved packet ($, channel, length, payload) whole, as libcurl hands it over;
    // an answer other than its length fails the transfer (CURLE_WRITE_ERROR), as node-libcurl's 0 on a throw does
    case 'INTERLEAVEFUNCTION':
      return (data: Buffer): number => {
        const copy = Buffer.from(data);
        return guarded(0, 'INTERLEAVE', () => fn.call(self, copy, 1, copy.length));
      };
    case 'SSH_HOSTKEYFUNCTION':
      return (_clientp: unknown, keytype: number, key: Buffer): number => {
        try {
          const r = fn.call(self, nodeSshKeyType(keytype), Buffer.from(key));
          if (typeof r === 'number') return r;
          host.callbackFailed(new TypeError('Return value from the SSH_HOSTKEYFUNCTION callback must be an integer (CurlSshKeyMatch).'));
        } catch (err) {
          host.callbackFailed(err);
        }
        return CURLKHMATCH.MISMATCH;
      };
    case 'HSTSREADFUNCTION':
      return adaptHstsRead(fn, host);
    case 'HSTSWRITEFUNCTION':
      return adaptHstsWrite(fn, host);
    default:
      return undefined;
  }
}

/**
 * libcurl's CURLKHTYPE (UNKNOWN, RSA1, RSA, DSS, ECDSA, ED25519: 0-5) as
 * node-libcurl's CurlSshKeyType (Unknown, Rsa, Dss, Ecdsa, Ed25519: 0-4),
 * which has no RSA1 and so numbers the others one lower.
 */
function nodeSshKeyType(khtype: number): number {
  switch (khtype) {
    case CURLKHTYPE.RSA: return CurlSshKeyType.Rsa;
    case CURLKHTYPE.DSS: return CurlSshKeyType.Dss;
    case CURLKHTYPE.ECDSA: return CurlSshKeyType.Ecdsa;
    case CURLKHTYPE.ED25519: return CurlSshKeyType.Ed25519;
    default: return CurlSshKeyType.Unknown;
  }
}

/** The listing's bytes (latin1 chars in tscurl) as node-libcurl's C strings become JavaScript ones. */
function utf8(s: string): string {
  return Buffer.from(s, 'latin1').toString('utf8');
}

/** tscurl's curl_fileinfo as node-libcurl's FileInfo. */
function nodeFileInfo(f: CurlFileInfo): FileInfo {
  const str = (v: string | null): string => (v === null ? '' : utf8(v));
  return {
    fileName: utf8(f.filename), fileType: f.filetype, time: new Date(f.time * 1000), perm: f.perm, uid: f.uid, gid: f.gid,
    size: f.size, hardLinks: f.hardlinks,
    strings: { time: str(f.strings.time), perm: str(f.strings.perm), user: str(f.strings.user), group: str(f.strings.group), target: f.strings.target === null ? null : utf8(f.strings.target) },
  };
}
