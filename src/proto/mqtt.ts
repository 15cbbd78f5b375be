// The MQTT protocol handler (mqtt://), after libcurl's mqtt.c: MQTT 3.1.1,
// QoS 0. A GET subscribes to the topic the URL's path names and delivers
// every PUBLISH the server sends (its whole variable part: the topic's
// length and name, then the payload, as libcurl writes it) until the server
// disconnects; a POST publishes CURLOPT_POSTFIELDS to the topic and
// disconnects.
//
// Theory of operation. start() sends CONNECT (client id "curl" + 8 random hex
// digits, the user name and password from the URL or USERPWD). step() reads
// packets through MqttPacketReader: the CONNACK must be 0x20 with a remaining
// length of 2 and say "accepted" (00 00; anything else is
// CURLE_WEIRD_SERVER_REPLY, "Expected 0000 but got 0005"); then the topic is
// taken from the path (URL-decoded; a control byte is CURLE_URL_MALFORMAT, an
// empty one "No MQTT topic found. Forgot to URL encode it?") and PUBLISH +
// DISCONNECT, or SUBSCRIBE, is sent. A subscription accepts its SUBACK (the
// packet id, QoS 0) and PUBLISH packets in any order; a PUBLISH longer than
// MAXFILESIZE is CURLE_FILESIZE_EXCEEDED, a connection closed inside one
// CURLE_PARTIAL_FILE, between packets CURLE_RECV_ERROR ("Connection
// disconnected"), DISCONNECT ends the transfer. The checks on the CONNACK's
// type and length, the control bytes in the topic and a remaining length
// past four bytes are those of later libcurl (curl's cases 1132, 2109, 2206,
// 3017); 7.88 read past them. A connection that breaks while a PUBLISH is
// still going out is CURLE_SEND_ERROR (7.88 waits for its timeout). The
// connection is never reused.
import { randomBytes } from 'node:crypto';
import { CURLE, type CURLcode } from '../codes.js';
import { CURL_POLL, CURLINFO_TYPE, CURLPAUSE, CURLPROTO } from '../constants.js';
import { CURLOPT } from '../easy/option-table.js';
import { HTTPREQ } from '../easy/option-store.js';
import type { Connection } from '../conn/connection.js';
import type { Transfer } from '../multi/transfer.js';
import { CLIENTWRITE, PAUSED } from '../cw/client-write.js';
import type { CallbackGuard } from '../util/callback-depth.js';
import { traceData, traceText } from '../util/trace.js';
import { textToBuffer, toBytes, urlDecode } from '../url/url-bytes.js';
import { CURLU, CURLUPART } from '../url/url-codes.js';
import { nowMs } from '../util/clock.js';
import type { ProtocolHandler, ProtocolRequest } from './handler.js';
import { MeteredRecv } from './metered-recv.js';
import { connectPacket, DISCONNECT_PACKET, MQTT_MSG, MqttPacketReader, publishPacket, subscribePacket } from './mqtt-packets.js';
import { optionCredentials } from './redirect.js';

const MAX_READS_PER_STEP = 32;
/** How often a publish whose bytes Node still holds looks whether they left. */
const FLUSH_CHECK_MS = 5;

type Phase = 'connack' | 'subscribed' | 'flushing' | 'done';

const hex2 = (b: number | undefined): string => (b ?? 0).toString(16).padStart(2, '0');

class MqttRequest implements ProtocolRequest {
  readonly #t: Transfer;
  readonly #conn: Connection;
  readonly #guard: CallbackGuard;
  readonly #reader = new MqttPacketReader();
  #phase: Phase = 'connack';
  /** the packet being read: its first byte and length, or null between packets */
  #packet: { first: number; remaining: number } | null = null;
  /** a PUBLISH body is being delivered */
  #publishBody = false;
  readonly #in: MeteredRecv;
  #eof = false;

  constructor(t: Transfer, conn: Connection, guard: CallbackGuard) {
    this.#t = t;
    this.#in = new MeteredRecv(t);
    this.#conn = conn;
    this.#guard = guard;
  }

  start(): CURLcode {
    const t = this.#t;
    const given = optionCredentials(t);
    const user = given.username ?? t.url?.user ?? '';
    const password = given.password ?? t.url?.password ?? '';
    const clientId = 'curl' + randomBytes(4).toString('hex');
    traceText(this.#guard, t, `Using client id '${clientId}'`);
    const p = connectPacket(textToBuffer(user), textToBuffer(password), clientId);
    if (!p.ok) return this.#fail(CURLE.WEIRD_SERVER_REPLY, p.message);
    return this.#send(p.packet);
  }

  #fail(code: CURLcode, message: string): CURLcode {
    this.#t.fail(code, message);
    this.#phase = 'done';
    return code;
  }

  #send(packet: Buffer): CURLcode {
    const r = this.#conn.transport!.send(packet);
    if (!r.ok) return this.#fail(CURLE.SEND_ERROR, `Send failure: ${r.error.message}`);
    traceData(this.#guard, this.#t, CURLINFO_TYPE.HEADER_OUT, packet);
    return CURLE.OK;
  }

  /** mqtt_get_topic: the path after its '/', URL-decoded. */
  #topic(): Buffer | CURLcode {
    const path = this.#t.url!.handle.get(CURLUPART.PATH, CURLU.URLENCODE).value ?? '/';
    if (path.length <= 1) return this.#fail(CURLE.URL_MALFORMAT, 'No MQTT topic found. Forgot to URL encode it?');
    const topic = urlDecode(toBytes(path.slice(1)), true);
    if (topic === null) return this.#fail(CURLE.URL_MALFORMAT, easyUrlMalformat);
    if (topic.length > 0xffff) return this.#fail(CURLE.URL_MALFORMAT, 'Too long MQTT topic');
    return Buffer.from(topic, 'latin1');
  }

  step(): CURLcode {
    const transport = this.#conn.transport;
    if (!transport) return CURLE.SEND_ERROR;
    const t = this.#t;
    if (this.#phase === 'flushing') {
      if (transport.socket.writableLength === 0) this.#phase = 'done';
      else return this.#drainInput();
      return CURLE.OK;
    }
    for (let i = 0; i < MAX_READS_PER_STEP && this.#phase !== 'done'; i++) {
      if (t.pauseBits & CURLPAUSE.RECV) break;
      const c = this.#process();
      if (c !== CURLE.OK) return c;
      if (this.#stopped() || t.pauseBits & CURLPAUSE.RECV) break;
      if (this.#eof) return this.#closed();
      const data = this.#in.read(transport);
      if (data === 'wait') break;
      if (data === 'eof') {
        this.#eof = true;
        continue;
      }
      if ('failure' in data) return this.#fail(CURLE.RECV_ERROR, data.failure);
      this.#reader.feed(data);
    }
    return CURLE.OK;
  }

  /** Nothing more to read (#process() may have moved the phase on). */
  #stopped(): boolean {
    const phase: Phase = this.#phase;
    return phase === 'done' || phase === 'flushing';
  }

  /**
   * After the publish: wait for the bytes to leave; what the server says
   * meanwhile is dropped. A connection that ends while some of the PUBLISH
   * is still held was not sent it: CURLE_SEND_ERROR, not a success (the
   * send path CVE-2021-22945 was about; 7.88 waits for its timeout there).
   */
  #drainInput(): CURLcode {
    for (let i = 0; i < MAX_READS_PER_STEP; i++) {
      const r = this.#conn.transport!.recv();
      if (r.kind === 'again') return CURLE.OK;
      if (r.kind === 'error') return this.#fail(CURLE.SEND_ERROR, sendFailure(r.error));
      if (r.kind === 'eof') return this.#fail(CURLE.SEND_ERROR, 'Send failure: Connection closed by the server before the PUBLISH was sent');
    }
    return CURLE.OK;
  }

  /** The server closed: where it happens says what it is. */
  #closed(): CURLcode {
    if (this.#publishBody) {
      // libcurl only says so with VERBOSE; the error is the code's own text
      traceText(this.#guard, this.#t, 'server disconnected');
      return this.#fail(CURLE.PARTIAL_FILE, 'Transferred a partial file');
    }
    return this.#fail(CURLE.RECV_ERROR, 'Connection disconnected');
  }

  /** Handle what the reader has, until it needs more bytes. */
  #process(): CURLcode {
    const t = this.#t;
    for (;;) {
      if (this.#phase === 'done' || this.#phase === 'flushing' || t.pauseBits & CURLPAUSE.RECV) return CURLE.OK;
      if (this.#packet === null) {
        const ev = this.#reader.next();
        if (ev.kind === 'need') return CURLE.OK;
        if (ev.kind === 'bad-length') {
          traceData(this.#guard, t, CURLINFO_TYPE.HEADER_IN, ev.raw);
          return this.#fail(CURLE.WEIRD_SERVER_REPLY, easyWeird);
        }
        if (ev.kind !== 'header') return this.#fail(CURLE.WEIRD_SERVER_REPLY, easyWeird);
        traceData(this.#guard, t, CURLINFO_TYPE.HEADER_IN, ev.raw);
        const c = this.#onHeader(ev.first, ev.remaining);
        if (c !== CURLE.OK) return c;
        continue;
      }
      if (this.#publishBody) {
        const ev = this.#reader.next(t.opts.num(CURLOPT.BUFFERSIZE));
        if (ev.kind !== 'body') return CURLE.OK;
        traceData(this.#guard, t, CURLINFO_TYPE.DATA_IN, ev.data);
        if (ev.last) {
          this.#packet = null;
          this.#publishBody = false;
        }
        const w = t.writers.write(CLIENTWRITE.BODY, ev.data);
        if (w === PAUSED) return CURLE.OK;
        if (w !== CURLE.OK) {
          // the writers said why (libcurl's failf in the client writer)
          this.#phase = 'done';
          return w;
        }
        continue;
      }
      const body = this.#reader.takeBody(this.#packet.remaining);
      if (body === null) return CURLE.OK;
      traceData(this.#guard, t, CURLINFO_TYPE.HEADER_IN, body);
      const first = this.#packet.first;
      this.#packet = null;
      const c = first === MQTT_MSG.CONNACK ? this.#onConnack(body) : this.#onSuback(body);
      if (c !== CURLE.OK) return c;
    }
  }

  #onHeader(first: number, remaining: number): CURLcode {
    const t = this.#t;
    if (this.#phase === 'connack') {
      if (first !== MQTT_MSG.CONNACK || remaining !== 2) return this.#fail(CURLE.WEIRD_SERVER_REPLY, easyWeird);
      this.#packet = { first, remaining };
      return CURLE.OK;
    }
    // subscribed: PUBLISH and SUBACK in any order, DISCONNECT ends it, zero-length others pass (PINGRESP)
    const type = first & 0xf0;
    if (type === MQTT_MSG.PUBLISH) {
      traceText(this.#guard, t, `Remaining length: ${remaining} bytes`);
      const max = t.opts.hot().maxFilesize;
      if (max > 0 && remaining > max) return this.#fail(CURLE.FILESIZE_EXCEEDED, 'Maximum file size exceeded');
      t.contentLength = remaining;
      if (remaining > 0) {
        this.#packet = { first, remaining };
        this.#publishBody = true;
      }
      return CURLE.OK;
    }
    if (type === MQTT_MSG.DISCONNECT) {
      traceText(this.#guard, t, 'Got DISCONNECT');
      this.#phase = 'done';
      return CURLE.OK;
    }
    if (type === MQTT_MSG.SUBACK && remaining === 3) {
      this.#packet = { first, remaining };
      return CURLE.OK;
    }
    if (remaining === 0 && type !== MQTT_MSG.SUBACK) return CURLE.OK;
    return this.#fail(CURLE.WEIRD_SERVER_REPLY, easyWeird);
  }

  /** mqtt_verify_connack, then the request proper. */
  #onConnack(body: Buffer): CURLcode {
    if (body[0] !== 0 || body[1] !== 0) {
      return this.#fail(CURLE.WEIRD_SERVER_REPLY, `Expected 0000 but got ${hex2(body[0])}${hex2(body[1])}`);
    }
    const t = this.#t;
    const topic = this.#topic();
    if (typeof topic === 'number') return topic;
    if (t.opts.method === HTTPREQ.POST) {
      const payload = postfields(t);
      if (payload === null) return this.#fail(CURLE.BAD_FUNCTION_ARGUMENT, 'MQTT PUBLISH without a payload (CURLOPT_POSTFIELDS)');
      const p = publishPacket(topic, payload);
      if (!p.ok) return this.#fail(CURLE.BAD_FUNCTION_ARGUMENT, p.message);
      let c = this.#send(p.packet);
      if (c === CURLE.OK) c = this.#send(DISCONNECT_PACKET);
      if (c !== CURLE.OK) return c;
      t.sizeUpload += payload.length;
      const transport = this.#conn.transport!;
      transport.flushHeld();
      t.timing.posttransfer ||= nowMs();
      // libcurl is done once the bytes are written; Node may still hold some, which closing would drop
      this.#phase = transport.socket.writableLength === 0 ? 'done' : 'flushing';
      return CURLE.OK;
    }
    this.#phase = 'subscribed';
    return this.#send(subscribePacket(PACKET_ID, topic));
  }

  /** mqtt_verify_suback: our packet id, QoS 0 granted. */
  #onSuback(body: Buffer): CURLcode {
    if (body[0] !== PACKET_ID >> 8 || body[1] !== (PACKET_ID & 0xff) || body[2] !== 0) {
      return this.#fail(CURLE.WEIRD_SERVER_REPLY, easyWeird);
    }
    return CURLE.OK;
  }

  get done(): boolean {
    return this.#phase === 'done';
  }

  get reusable(): boolean {
    return false;
  }

  pollWhat(): number {
    if (this.#phase === 'done') return 0;
    // flushing: OUT readiness says nothing about bytes Node still holds below its high-water mark, so the
    // request looks again shortly (wakeAt) and meanwhile notices the broker's close
    if (this.#phase === 'flushing') return this.#conn.transport?.writeBlocked ? CURL_POLL.IN | CURL_POLL.OUT : CURL_POLL.IN;
    return this.#t.pauseBits & CURLPAUSE.RECV ? 0 : CURL_POLL.IN;
  }

  get wakeAt(): number | null {
    return this.#phase === 'flushing' ? nowMs() + FLUSH_CHECK_MS : null;
  }

  retainReceived(): void {
    this.#reader.retain();
  }

  resume(): CURLcode {
    // the writers delivered what they held; go on with what the reader still has
    return this.#process();
  }

  get receivedAnything(): boolean {
    return this.#in.gotBytes;
  }
}

/** libcurl's "Send failure: <strerror>" for a broken connection. */
function sendFailure(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNRESET') return 'Send failure: Connection reset by peer';
  if (code === 'EPIPE') return 'Send failure: Broken pipe';
  return `Send failure: ${err.message}`;
}

/** libcurl's packet id: one SUBSCRIBE per connection, so always 1. */
const PACKET_ID = 1;
const easyWeird = 'Weird server reply';
const easyUrlMalformat = 'URL using bad/illegal format or missing URL';

/** CURLOPT_POSTFIELDS' bytes (POSTFIELDSIZE of them when set), or null. */
function postfields(t: Transfer): Buffer | null {
  const pf = t.opts.get(CURLOPT.POSTFIELDS) as string | Buffer | null;
  if (pf === null) return null;
  const b = Buffer.isBuffer(pf) ? pf : textToBuffer(pf);
  const size = t.opts.num(CURLOPT.POSTFIELDSIZE_LARGE);
  return size >= 0 ? b.subarray(0, size) : b;
}

export const MQTT_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'mqtt',
  defaultPort: 1883,
  protocol: CURLPROTO.MQTT,
  flags: 0,
  alpn: [],
  request: (t: Transfer, conn: Connection, guard: CallbackGuard): ProtocolRequest => new MqttRequest(t, conn, guard),
});
