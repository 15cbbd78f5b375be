// Compile-time value types of every easy option, derived from the generated
// table's type class plus the exact prototypes of the callback options.
import type { OptionTypeClassById } from './option-table.js';
import type {
  AnyCallback, DebugCallback, HeaderCallback, PrereqCallback, ProgressCallback, ReadCallback, ResolverStartCallback,
  SeekCallback, TrailerCallback, WriteCallback, XferInfoCallback,
} from './callbacks.js';
import type { Mime } from '../cr/mime.js';
import type { Readable, Writable } from 'node:stream';
import type { CurlUrl } from '../url/curl-url.js';
import type { CurlHttpSig } from '../auth/httpsig.js';
import type { Share } from '../share/share.js';
import type { Easy } from './easy.js';
import type { HstsReadCallback, HstsWriteCallback } from './hsts-callbacks.js';
import type { SshHostKeyCallback, SshKeyCallback } from './ssh-callbacks.js';

/**
 * A FILE* for libcurl's default callbacks (src/easy/default-io.ts): a file
 * descriptor or a Node Writable (null: stdout for WRITEDATA).
 */
export type FileTarget = number | Writable;
/**
 * WRITEDATA/HEADERDATA: the userdata passed to WRITEFUNCTION/HEADERFUNCTION,
 * or, with no callback set, the FileTarget the data is written to.
 */
export type WriteData = FileTarget | object | null;
/**
 * READDATA: the userdata passed to READFUNCTION, or, with none set, what is
 * read: a descriptor, a Node Readable or a Buffer (null: stdin).
 */
export type ReadData = number | Readable | Uint8Array | object | null;

/** Values accepted per type class. `null` resets an option to its default, as NULL does in C. */
interface ValueByClass {
  LONG: number | boolean;
  VALUES: number;
  OFF_T: number | bigint;
  OBJECTPOINT: unknown;
  STRINGPOINT: string | null;
  SLISTPOINT: readonly string[] | null;
  CBPOINT: unknown;
  FUNCTIONPOINT: AnyCallback | null;
  BLOB: Buffer | Uint8Array | null;
}

/** Exact types for options whose class alone says too little. */
interface ValueOverrides {
  20011: WriteCallback | null; // WRITEFUNCTION
  20012: ReadCallback | null; // READFUNCTION
  20079: HeaderCallback | null; // HEADERFUNCTION
  20094: DebugCallback | null; // DEBUGFUNCTION
  20219: XferInfoCallback | null; // XFERINFOFUNCTION
  20167: SeekCallback | null; // SEEKFUNCTION
  20283: TrailerCallback | null; // TRAILERFUNCTION
  20312: PrereqCallback | null; // PREREQFUNCTION
  20272: ResolverStartCallback | null; // RESOLVER_START_FUNCTION
  10015: string | Buffer | null; // POSTFIELDS
  10165: string | Buffer | null; // COPYPOSTFIELDS
  10010: { message: string } | null; // ERRORBUFFER: an object whose .message receives the text
  10269: Mime | null; // MIMEPOST
  20301: HstsReadCallback | null; // HSTSREADFUNCTION
  20303: HstsWriteCallback | null; // HSTSWRITEFUNCTION
  20056: ProgressCallback | null; // PROGRESSFUNCTION
  20184: SshKeyCallback | null; // SSH_KEYFUNCTION
  20316: SshHostKeyCallback | null; // SSH_HOSTKEYFUNCTION
  10001: WriteData; // WRITEDATA
  10029: WriteData; // HEADERDATA
  10009: ReadData; // READDATA
  10037: FileTarget | null; // STDERR
  10100: Share | null; // SHARE
  10240: Easy | null; // STREAM_DEPENDS: the handle whose HTTP/2 stream this one depends on
  10241: Easy | null; // STREAM_DEPENDS_E: the same, exclusively
  10282: CurlUrl | null; // CURLU
  10103: unknown; // PRIVATE: any value, given back by CURLINFO_PRIVATE
  329: CurlHttpSig; // HTTPSIG_ALGORITHM: CURLHTTPSIG.NONE, ED25519 or HMAC_SHA256
}

export type OptionId = keyof OptionTypeClassById;
export type OptionValue<K extends OptionId> = K extends keyof ValueOverrides
  ? ValueOverrides[K]
  : ValueByClass[OptionTypeClassById[K]];
