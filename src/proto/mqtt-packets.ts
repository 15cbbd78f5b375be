// MQTT 3.1.1 packets as libcurl's mqtt.c writes and reads them, sans I/O:
// the CONNECT, SUBSCRIBE, PUBLISH and DISCONNECT packets it sends, and a
// reader that splits what the server sends into fixed headers and bodies,
// streaming a PUBLISH body (it may be large) and collecting the small ones.
import { randomBytes } from 'node:crypto';

export const MQTT_MSG = {
  CONNECT: 0x10, CONNACK: 0x20, PUBLISH: 0x30, SUBSCRIBE: 0x82, SUBACK: 0x90, DISCONNECT: 0xe0, PINGRESP: 0xd0,
} as const;

/** The most a remaining length can say (four 7-bit groups). */
export const MQTT_MAX_REMAINING = 268435455;
/** libcurl's MQTT_CLIENTID_LEN: "curl" and 8 random hex digits. */
const CLIENTID_LEN = 12;

/** mqtt_encode_len: the variable-length "remaining length". */
export function encodeRemainingLength(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0 && out.length < 4);
  return Buffer.from(out);
}

function lengthPrefixed(b: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

export type PacketResult = { ok: true; packet: Buffer } | { ok: false; message: string };

/**
 * mqtt_connect's CONNECT: protocol "MQTT" level 4, clean session, keep-alive
 * 60 s, client id "curl" + 8 hex digits, user name and password when given
 * (each sets its flag on its own, as libcurl does).
 */
export function connectPacket(user: Buffer, password: Buffer, clientId = 'curl' + randomBytes(4).toString('hex')): PacketResult {
  if (user.length > 0xffff) return { ok: false, message: `Username is too large: [${user.length}]` };
  if (password.length > 0xffff) return { ok: false, message: `Password is too large: [${password.length}]` };
  const id = Buffer.from(clientId.slice(0, CLIENTID_LEN), 'latin1');
  let flags = 0x02;
  if (user.length > 0) flags |= 0x80;
  if (password.length > 0) flags |= 0x40;
  const variable = Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, flags, 0x00, 0x3c]);
  const parts = [variable, lengthPrefixed(id)];
  if (user.length > 0) parts.push(lengthPrefixed(user));
  if (password.length > 0) parts.push(lengthPrefixed(password));
  const body = Buffer.concat(parts);
  return { ok: true, packet: Buffer.concat([Buffer.from([MQTT_MSG.CONNECT]), encodeRemainingLength(body.length), body]) };
}

/** mqtt_subscribe's SUBSCRIBE: one topic at QoS 0. */
export function subscribePacket(packetId: number, topic: Buffer): Buffer {
  const id = Buffer.from([(packetId >> 8) & 0xff, packetId & 0xff]);
  const body = Buffer.concat([id, lengthPrefixed(topic), Buffer.from([0])]);
  return Buffer.concat([Buffer.from([MQTT_MSG.SUBSCRIBE]), encodeRemainingLength(body.length), body]);
}

/** mqtt_publish's PUBLISH: QoS 0, no packet id. */
export function publishPacket(topic: Buffer, payload: Buffer): PacketResult {
  const remaining = 2 + topic.length + payload.length;
  if (remaining > MQTT_MAX_REMAINING) return { ok: false, message: 'Too large MQTT PUBLISH payload' };
  return { ok: true, packet: Buffer.concat([Buffer.from([MQTT_MSG.PUBLISH]), encodeRemainingLength(remaining), lengthPrefixed(topic), payload]) };
}

export const DISCONNECT_PACKET = Buffer.from([MQTT_MSG.DISCONNECT, 0x00]);

/** One step of reading what the server sends. */
export type MqttEvent =
  /** a fixed header: the first byte, the remaining length, and the header's bytes (for tracing) */
  | { kind: 'header'; first: number; remaining: number; raw: Buffer }
  /** a piece of the current packet's body */
  | { kind: 'body'; data: Buffer; last: boolean }
  /** more bytes are needed */
  | { kind: 'need' }
  /** the remaining length runs past four bytes (libcurl: CURLE_WEIRD_SERVER_REPLY) */
  | { kind: 'bad-length'; raw: Buffer };

/**
 * Splits the server's bytes into packets. feed() adds bytes (they are
 * copied when kept past the call), next() takes the next event.
 */
export class MqttPacketReader {
  #buf: Buffer = Buffer.alloc(0);
  /** body bytes of the current packet still to come; -1 between packets */
  #bodyLeft = -1;

  feed(data: Buffer): void {
    this.#buf = this.#buf.length === 0 ? data : Buffer.concat([this.#buf, data]);
  }

  /** Whether bytes are waiting that next() has not handed out. */
  get buffered(): number {
    return this.#buf.length;
  }

  /** Keep what is buffered past the current call (the transport's memory is reused). */
  retain(): void {
    if (this.#buf.length > 0) this.#buf = Buffer.from(this.#buf);
  }

  next(maxBody = Infinity): MqttEvent {
    const buf = this.#buf;
    if (this.#bodyLeft > 0) {
      if (buf.length === 0) return { kind: 'need' };
      const n = Math.min(buf.length, this.#bodyLeft, maxBody);
      this.#bodyLeft -= n;
      this.#buf = buf.subarray(n);
      const last = this.#bodyLeft === 0;
      if (last) this.#bodyLeft = -1;
      return { kind: 'body', data: buf.subarray(0, n), last };
    }
    if (buf.length < 2) return { kind: 'need' };
    let remaining = 0;
    let mult = 1;
    for (let i = 1; i < buf.length; i++) {
      const b = buf[i]!;
      remaining += (b & 0x7f) * mult;
      mult *= 128;
      if (!(b & 0x80)) {
        this.#buf = buf.subarray(i + 1);
        this.#bodyLeft = remaining > 0 ? remaining : -1;
        return { kind: 'header', first: buf[0]!, remaining, raw: buf.subarray(0, i + 1) };
      }
      if (i === 4) return { kind: 'bad-length', raw: buf.subarray(0, 5) };
    }
    return { kind: 'need' };
  }

  /**
   * The whole body of the current packet when it has arrived (for the small
   * ones: CONNACK, SUBACK), else null.
   */
  takeBody(remaining: number): Buffer | null {
    if (this.#buf.length < remaining) return null;
    const body = this.#buf.subarray(0, remaining);
    this.#buf = this.#buf.subarray(remaining);
    this.#bodyLeft = -1;
    return body;
  }
}
