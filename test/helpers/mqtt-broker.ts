// A scripted MQTT broker for the tests (test/integration/mqtt-proto and
// test/security/mqtt-hostile): reads the CONNECT, answers a CONNACK, and
// hands the connection on once the next packet's fixed header (SUBSCRIBE or
// PUBLISH) is in, so each test scripts only the part it is about.
import type { ScriptConn } from './script-server.js';

/** Bytes from hex digits (blanks allowed between them). */
export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

export interface Broker {
  connack?: Buffer;
  afterSubscribe?: (c: ScriptConn) => void | Promise<void>;
}

/** Reads CONNECT, answers `connack`, then runs afterSubscribe once SUBSCRIBE (or PUBLISH) arrived. */
export function broker(b: Broker): (c: ScriptConn) => Promise<void> {
  return async (c) => {
    if (!(await c.waitFor((g) => g.length >= 2 && g.length >= 2 + g[1]!))) return;
    c.write(b.connack ?? hex('20020000'));
    const connectLen = 2 + c.received()[1]!;
    if (!(await c.waitFor((g) => g.length > connectLen + 1 && g.length >= connectLen + 2 + g[connectLen + 1]!))) return;
    await b.afterSubscribe?.(c);
  };
}
