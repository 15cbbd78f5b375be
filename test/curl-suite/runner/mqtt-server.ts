// curl's MQTT test server (tests/server/mqttd.c), emulated as the MQTT cases
// observe it. One client at a time; each packet in either direction is
// logged to server.input as "client|server NAME REMLEN-IN-HEX HEXBYTES"
// (client packets: the bytes after the fixed header; server packets: all).
//  - CONNECT (protocol "MQTT" level 4, payload lengths consistent, client id
//    under 32 bytes) gets CONNACK (`error-CONNACK N` sets its return code,
//    `remlen-CONNACK N` its length byte, `PINGRESP-as-CONNACK` sends it as a
//    PINGRESP); anything malformed ends the connection;
//  - SUBSCRIBE gets SUBACK, a PUBLISH of <data> on the topic
//    (`PUBLISH-before-SUBACK` swaps them, `short-PUBLISH` cuts two bytes,
//    `excessive-remaining` sends an illegal length), then DISCONNECT;
//  - a PUBLISH from the client is logged with the DISCONNECT that follows it,
//    and the server closes.

import { appendFileSync } from 'node:fs';
import net from 'node:net';
import { ByteQueue } from './byte-queue.js';
import { TcpService } from './tcp-service.js';
import type { TestFile } from './test-file.js';

export interface MqttServerOptions {
  readonly logFile: string;
  readonly test: () => TestFile | undefined;
}

interface MqttConfig {
  publishBeforeSuback: boolean;
  shortPublish: boolean;
  excessiveRemaining: boolean;
  pingrespAsConnack: boolean;
  disconnectMalformed: boolean;
  errorConnack: number;
  remlenConnack: number;
}

/** mqttd reads "key value" lines (both words present) from the servercmd file. */
export function mqttConfig(test: TestFile | undefined): MqttConfig {
  const c: MqttConfig = {
    publishBeforeSuback: false, shortPublish: false, excessiveRemaining: false, pingrespAsConnack: false,
    disconnectMalformed: false, errorConnack: 0, remlenConnack: 0,
  };
  for (const line of test?.getPart('reply', 'servercmd')?.lines ?? []) {
    const [key, value] = line.trim().split(/\s+/);
    if (key === undefined || value === undefined) continue;
    const num = /^\d+/.test(value) ? Number(/^\d+/.exec(value)?.[0]) & 0xff : undefined;
    if (key === 'PUBLISH-before-SUBACK') c.publishBeforeSuback = true;
    else if (key === 'short-PUBLISH') c.shortPublish = true;
    else if (key === 'PINGRESP-as-CONNACK') c.pingrespAsConnack = true;
    else if (key === 'DISCONNECT-malformed') c.disconnectMalformed = true;
    else if (key === 'excessive-remaining') c.excessiveRemaining = true;
    else if (key === 'error-CONNACK' && num !== undefined) c.errorConnack = num;
    else if (key === 'remlen-CONNACK' && num !== undefined) c.remlenConnack = num;
  }
  return c;
}

function encodeLength(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 0x80;
    n = Math.floor(n / 0x80);
    if (n) b |= 0x80;
    out.push(b);
  } while (n && out.length < 4);
  return out;
}

/** Exact-length reads over a socket's queue. */
class Reader {
  readonly #q: ByteQueue;
  #buf = Buffer.alloc(0);

  constructor(q: ByteQueue) {
    this.#q = q;
  }

  /** Up to `n` bytes: fewer only when the peer has gone. */
  async read(n: number): Promise<Buffer> {
    while (this.#buf.length < n) {
      const c = await this.#q.read();
      if (!c) break;
      this.#buf = Buffer.concat([this.#buf, c]);
    }
    const out = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(out.length);
    return out;
  }
}

export class MqttServer {
  readonly #opts: MqttServerOptions;
  // mqttd serves one connection until it is done, then accepts the next, and closes it hard
  readonly #service = new TcpService((sock, q) => this.#serve(sock, new Reader(q)), 'destroy');

  constructor(opts: MqttServerOptions) {
    this.#opts = opts;
  }

  get openConnections(): number {
    return this.#service.openConnections;
  }

  listen(host: string): Promise<number> {
    return this.#service.listen(host);
  }

  close(): Promise<void> {
    return this.#service.close();
  }

  #log(dir: 'client' | 'server', name: string, remlen: number, bytes: Buffer): void {
    appendFileSync(this.#opts.logFile, `${dir} ${name} ${remlen.toString(16)} ${bytes.toString('hex')}\n`);
  }

  #send(sock: net.Socket, name: string, remlen: number, packet: Buffer): void {
    sock.write(packet);
    this.#log('server', name, remlen, packet);
  }

  async #serve(sock: net.Socket, r: Reader): Promise<void> {
    const test = this.#opts.test();
    const cfg = mqttConfig(test);
    for (;;) {
      const head = await r.read(2);
      if (head.length < 2) return;
      const type = head[0] as number;
      const lenBytes = [head[1] as number];
      while (((lenBytes[lenBytes.length - 1] as number) & 0x80) && lenBytes.length < 4) {
        const b = await r.read(1);
        if (!b.length) return;
        lenBytes.push(b[0] as number);
      }
      let remaining = 0;
      for (let i = 0, mult = 1; i < lenBytes.length; i++, mult *= 0x80) remaining += ((lenBytes[i] as number) & 0x7f) * mult;
      const body = remaining ? await r.read(remaining) : Buffer.alloc(0);

      if (type === 0x10) {
        this.#log('client', 'CONNECT', remaining, body);
        if (!body.subarray(0, 7).equals(Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 4]))) return;
        let payload = ((body[10] ?? 0) << 8) | (body[11] ?? 0);
        const idLength = payload;
        const flags = body[7] ?? 0;
        if (flags & 0x80) payload += (((body[12 + payload] ?? 0) << 8) | (body[13 + payload] ?? 0)) + 2;
        if (flags & 0x40) payload += (((body[12 + payload] ?? 0) << 8) | (body[13 + payload] ?? 0)) + 2;
        if (payload !== body.length - 12 || idLength + 1 > 32) return;
        const connack = Buffer.from([cfg.pingrespAsConnack ? 0xd0 : 0x20, cfg.remlenConnack || 2, 0, cfg.errorConnack]);
        this.#send(sock, cfg.pingrespAsConnack ? 'PINGRESP-as-CONNACK' : 'CONNACK', connack[1] as number, connack);
      } else if (type === 0x82) {
        this.#log('client', 'SUBSCRIBE', remaining, body);
        if (body.length < 6) return;
        const packetId = body.subarray(0, 2);
        const topicLen = ((body[2] as number) << 8) | (body[3] as number);
        if (topicLen !== remaining - 5) return;
        const topic = body.subarray(4, 4 + topicLen);
        const suback = (): void => this.#send(sock, 'SUBACK', 3, Buffer.concat([Buffer.from([0x90, 3]), packetId, Buffer.from([0])]));
        const data = test?.getContent('reply', 'data');
        const payload = Buffer.from(data ?? 'this is random payload yes yes it is', 'latin1');
        if (data !== undefined && !cfg.publishBeforeSuback) suback();
        const remlen = topic.length + 2 + payload.length;
        const len = cfg.excessiveRemaining ? [0xff, 0xff, 0xff, 0x80] : encodeLength(remlen);
        let packet = Buffer.concat([Buffer.from([0x30, ...len, topic.length >> 8, topic.length & 0xff]), topic, payload]);
        if (cfg.shortPublish) packet = packet.subarray(0, packet.length - 2);
        this.#send(sock, 'PUBLISH', remlen, packet);
        // a short write is a failed one: mqttd gives up on the connection
        if (cfg.shortPublish) return;
        if (data !== undefined && cfg.publishBeforeSuback) suback();
        const disc = cfg.disconnectMalformed ? Buffer.from([0xe0, 2, 0, 0]) : Buffer.from([0xe0, 0]);
        this.#send(sock, cfg.disconnectMalformed ? 'DISCONNECT-malformed' : 'DISCONNECT', disc[1] as number, disc);
      } else if ((type & 0xf0) === 0x30) {
        this.#log('client', 'PUBLISH', remaining, body);
        // the DISCONNECT that should follow, whatever it is
        this.#log('client', 'DISCONNECT', 0, await r.read(2));
        return;
      } else return;
    }
  }
}
