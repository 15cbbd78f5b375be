// The link between the public Easy handle and the engine, kept out of Easy's
// public surface: the engine reaches an easy's options and its current
// transfer through this table, never through public methods.
import type { Easy } from './easy.js';
import type { OptionStore } from './option-store.js';
import type { Transfer } from '../multi/transfer.js';
import type { Connection } from '../conn/connection.js';
import type { WsSession } from '../ws/ws-session.js';
import type { HeadLog } from '../cw/head-log.js';

export interface EasyInternals {
  opts: OptionStore;
  /** the multi the easy is added to (its own private one during easy.perform()) */
  multi: object | null;
  /** the current or last transfer: getinfo reads it */
  transfer: Transfer | null;
  cleaned: boolean;
  /** the CURLOPT_RESOLVE list last loaded into a DNS cache (libcurl loads a list once per setopt) */
  resolveLoaded?: unknown;
  /** that list had a '*' entry (libcurl's state.wildcard_resolve) */
  wildcardResolve?: boolean;
  /** the connection a CONNECT_ONLY transfer left for easy.send()/recv() (src/easy/connect-only.ts) */
  connectOnly?: Connection | null;
  /** the WebSocket session of the handle's upgraded connection (easy.wsSend/wsRecv/wsMeta) */
  ws?: WsSession | null;
  /** where each transfer's header lines are gathered (easy.keepHeaderBytes()) */
  headLog?: HeadLog | null;
}

const table = new WeakMap<Easy, EasyInternals>();

export function registerEasy(e: Easy, i: EasyInternals): void {
  table.set(e, i);
}
export function internalsOf(e: unknown): EasyInternals | undefined {
  return typeof e === 'object' && e !== null ? table.get(e as Easy) : undefined;
}

/** How Easy.pause reaches the engine of the multi it is in (set by multi.ts; no import cycle). */
type PauseFn = (multi: object, t: Transfer, bits: number) => number;
let pauseFn: PauseFn = () => 43; // CURLE_BAD_FUNCTION_ARGUMENT until a Multi exists
export function setPauseFn(fn: PauseFn): void {
  pauseFn = fn;
}
export function pauseTransfer(multi: object, t: Transfer, bits: number): number {
  return pauseFn(multi, t, bits);
}
