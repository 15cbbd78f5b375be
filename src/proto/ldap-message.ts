// The LDAP messages a search needs (RFC 4511): BindRequest (simple),
// SearchRequest, UnbindRequest out; BindResponse, SearchResultEntry,
// SearchResultReference, SearchResultDone and the Notice of Disconnection
// in. Sans-I/O: MessageReader is fed bytes and hands out whole messages.
import { tlv, integer, octets, boolean, sequence, readElement, children, readInteger, type BerElement } from './ldap-ber.js';

export const OP = {
  BIND_REQUEST: 0x60, BIND_RESPONSE: 0x61, UNBIND_REQUEST: 0x42, SEARCH_REQUEST: 0x63,
  SEARCH_ENTRY: 0x64, SEARCH_DONE: 0x65, SEARCH_REFERENCE: 0x73, EXTENDED_RESPONSE: 0x78,
} as const;

/** LDAP scopes (RFC 4511; 3 is the subordinate-subtree extension). */
export const SCOPE = { BASE: 0, ONE: 1, SUB: 2, CHILDREN: 3 } as const;

export function bindRequest(id: number, dn: Buffer, password: Buffer): Buffer {
  return sequence(integer(id), tlv(OP.BIND_REQUEST, integer(3), octets(dn), tlv(0x80, password)));
}

export function searchRequest(id: number, base: Buffer, scope: number, filter: Buffer, attrs: readonly Buffer[]): Buffer {
  return sequence(integer(id), tlv(OP.SEARCH_REQUEST,
    octets(base), integer(scope, 0x0a),
    integer(0, 0x0a), // derefAliases: never
    integer(0), integer(0), // no size or time limit
    boolean(false), // typesOnly
    filter,
    sequence(...attrs.map((a) => octets(a)))));
}

export function unbindRequest(id: number): Buffer {
  return sequence(integer(id), Buffer.from([OP.UNBIND_REQUEST, 0]));
}

/** An LDAPResult (BindResponse, SearchResultDone, ExtendedResponse). */
export interface LdapResult {
  code: number;
  matchedDn: Buffer;
  diagnostic: Buffer;
}

export interface Attribute {
  type: Buffer;
  values: Buffer[];
}

export type LdapMessage =
  | { id: number; op: typeof OP.BIND_RESPONSE | typeof OP.SEARCH_DONE | typeof OP.EXTENDED_RESPONSE; result: LdapResult }
  | { id: number; op: typeof OP.SEARCH_ENTRY; dn: Buffer; attributes: Attribute[] }
  | { id: number; op: typeof OP.SEARCH_REFERENCE }
  | { id: number; op: number };

function result(items: BerElement[]): LdapResult | null {
  if (items.length < 3 || items[0]!.tag !== 0x0a || items[1]!.tag !== 0x04 || items[2]!.tag !== 0x04) return null;
  const code = readInteger(items[0]!);
  if (code === null) return null;
  return { code, matchedDn: items[1]!.content, diagnostic: items[2]!.content };
}

function entry(items: BerElement[]): { dn: Buffer; attributes: Attribute[] } | null {
  if (items.length !== 2 || items[0]!.tag !== 0x04 || items[1]!.tag !== 0x30) return null;
  const list = children(items[1]!.content);
  if (!list) return null;
  const attributes: Attribute[] = [];
  for (const a of list) {
    const parts = a.tag === 0x30 ? children(a.content) : null;
    if (!parts || parts.length !== 2 || parts[0]!.tag !== 0x04 || parts[1]!.tag !== 0x31) return null;
    const vals = children(parts[1]!.content);
    if (!vals || vals.some((v) => v.tag !== 0x04)) return null;
    attributes.push({ type: parts[0]!.content, values: vals.map((v) => v.content) });
  }
  return { dn: items[0]!.content, attributes };
}

/** One LDAPMessage's content (inside the outer SEQUENCE), or null when malformed. */
export function decodeMessage(content: Buffer): LdapMessage | null {
  const items = children(content);
  if (!items || items.length < 2 || items[0]!.tag !== 0x02) return null;
  const id = readInteger(items[0]!);
  if (id === null) return null;
  const op = items[1]!;
  switch (op.tag) {
    case OP.BIND_RESPONSE:
    case OP.SEARCH_DONE:
    case OP.EXTENDED_RESPONSE: {
      const parts = children(op.content);
      const r = parts ? result(parts) : null;
      return r ? { id, op: op.tag, result: r } : null;
    }
    case OP.SEARCH_ENTRY: {
      const parts = children(op.content);
      const e = parts ? entry(parts) : null;
      return e ? { id, op: OP.SEARCH_ENTRY, ...e } : null;
    }
    default:
      return { id, op: op.tag };
  }
}

export type ReadOutcome = { kind: 'message'; message: LdapMessage } | { kind: 'need-more' } | { kind: 'error'; message: string };

/**
 * Cuts a byte stream into LDAPMessages; keeps what is not a whole message
 * yet (copied). Pieces of a large message are collected and joined once it
 * is all there, so a message of n bytes costs O(n), not O(n^2).
 */
export class MessageReader {
  #buf: Buffer = Buffer.alloc(0);
  /** pieces received after #buf, not joined yet */
  #pieces: Buffer[] = [];
  #piecesBytes = 0;
  /** the size of the message #buf starts, once its header is known (0: unknown) */
  #need = 0;

  feed(data: Buffer): void {
    this.#pieces.push(Buffer.from(data));
    this.#piecesBytes += data.length;
  }

  get buffered(): number {
    return this.#buf.length + this.#piecesBytes;
  }

  #join(): void {
    if (this.#pieces.length === 0) return;
    this.#buf = Buffer.concat([this.#buf, ...this.#pieces]);
    this.#pieces = [];
    this.#piecesBytes = 0;
  }

  next(): ReadOutcome {
    if (this.#need > 0 && this.#buf.length + this.#piecesBytes < this.#need) return { kind: 'need-more' };
    this.#join();
    const r = readElement(this.#buf, 0);
    if (r.kind === 'partial') {
      this.#need = headerNeed(this.#buf);
      return { kind: 'need-more' };
    }
    this.#need = 0;
    if (r.kind === 'error') return { kind: 'error', message: r.message };
    if (r.element.tag !== 0x30) return { kind: 'error', message: 'not an LDAPMessage' };
    this.#buf = this.#buf.subarray(r.next);
    const m = decodeMessage(r.element.content);
    return m ? { kind: 'message', message: m } : { kind: 'error', message: 'malformed LDAPMessage' };
  }
}

/** The whole size of the element `buf` starts, when its header is all there (else 0). */
function headerNeed(buf: Buffer): number {
  if (buf.length < 2) return 0;
  const first = buf[1]!;
  if (!(first & 0x80)) return 2 + first;
  const n = first & 0x7f;
  if (buf.length < 2 + n) return 0;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + buf[2 + i]!;
  return 2 + n + len;
}
