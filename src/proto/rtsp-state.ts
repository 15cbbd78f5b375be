// RTSP's per-handle fact that is no option: the CSeq of the last response
// (CURLINFO_RTSP_CSEQ_RECV, libcurl's data->state.rtsp_CSeq_recv), keyed by the
// handle's option store. A leaf module: getinfo reads it without loading the
// protocol handlers.
import type { OptionStore } from '../easy/option-store.js';

const CSEQ_RECV = new WeakMap<OptionStore, number>();

/** CURLINFO_RTSP_CSEQ_RECV of the handle whose options these are. */
export function rtspCSeqRecv(opts: OptionStore): number {
  return CSEQ_RECV.get(opts) ?? 0;
}

export function setRtspCSeqRecv(opts: OptionStore, cseq: number): void {
  CSEQ_RECV.set(opts, cseq);
}
