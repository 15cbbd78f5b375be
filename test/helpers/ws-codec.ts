// The `ws` package's own frame codec (its Sender and Receiver), which its ESM
// entry exports but @types/ws does not declare: typed here for the tests that
// check our WebSocket frames against an independent implementation.
import * as ws from 'ws';
import type { Writable } from 'node:stream';

export interface WsSenderFrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
}

interface SenderStatic {
  frame(data: Buffer, options: WsSenderFrameOptions): Buffer[];
}

/** A Writable that decodes frames and emits 'message' (data, isBinary), 'ping', 'pong', 'conclude' (code, reason), 'error'. */
export type WsReceiver = Writable;

interface ReceiverCtor {
  new (options: { isServer: boolean; binaryType?: string; maxPayload?: number }): WsReceiver;
}

const mod = ws as unknown as { Sender: SenderStatic; Receiver: ReceiverCtor };

/** A frame as `ws` makes it (unmasked as a server sends it, unless `mask`). */
export function wsFrame(payload: Buffer, o: Partial<WsSenderFrameOptions> & { opcode: number }): Buffer {
  return Buffer.concat(mod.Sender.frame(payload, { fin: o.fin ?? true, opcode: o.opcode, mask: o.mask ?? false, readOnly: false, rsv1: o.rsv1 ?? false }));
}

export function wsReceiver(isServer: boolean): WsReceiver {
  return new mod.Receiver({ isServer, binaryType: 'nodebuffer' });
}
