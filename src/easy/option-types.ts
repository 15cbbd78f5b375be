// Compile-time value types of every easy option, derived from the generated
// table's type class plus the exact prototypes of the callback options.
import type { OptionTypeClassById } from './option-table.js';
import type {
  AnyCallback, DebugCallback, HeaderCallback, PrereqCallback, ReadCallback, ResolverStartCallback,
  SeekCallback, TrailerCallback, WriteCallback, XferInfoCallback,
} from './callbacks.js';
import type { Mime } from '../cr/mime.js';
import type { HstsReadCallback, HstsWriteCallback } from './hsts-callbacks.js';

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
}

export type OptionId = keyof OptionTypeClassById;
export type OptionValue<K extends OptionId> = K extends keyof ValueOverrides
  ? ValueOverrides[K]
  : ValueByClass[OptionTypeClassById[K]];
