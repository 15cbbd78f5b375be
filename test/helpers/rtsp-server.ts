// A scripted RTSP server for the tests (test/integration/rtsp-proto and
// test/security/rtsp-interleaved): reads each request (head and body), hands
// it to `answer`, writes back what it returns. The RTSPREQ numbers and
// builders for a 200 answer and an interleaved packet come with it.
import type { ScriptConn } from './script-server.js';

export const RTSPREQ = { OPTIONS: 1, DESCRIBE: 2, ANNOUNCE: 3, SETUP: 4, PLAY: 5, GET_PARAMETER: 8, RECEIVE: 11 } as const;

export interface RtspReq {
  method: string;
  head: string;
  headers: Map<string, string>;
  body: Buffer;
}

/** Runs `answer` for each request on a connection; it returns the bytes to send back (or null: close). */
export function rtspd(answer: (r: RtspReq, c: ScriptConn, n: number) => Buffer | string | null | 'silent') {
  return async (c: ScriptConn): Promise<void> => {
    let used = 0;
    // bounded: each request consumes bytes; the connection's close ends the wait
    for (let n = 0; ; n++) {
      let end = -1;
      const ok = await c.waitFor((g) => (end = g.indexOf('\r\n\r\n', used)) >= 0);
      if (!ok) return;
      const head = c.received().subarray(used, end + 4).toString('latin1');
      const headers = new Map<string, string>();
      for (const line of head.split('\r\n').slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
      }
      const len = Number(headers.get('content-length') ?? 0);
      if (!(await c.waitFor((g) => g.length >= end + 4 + len))) return;
      const body = c.received().subarray(end + 4, end + 4 + len);
      used = end + 4 + len;
      const reply = answer({ method: head.slice(0, head.indexOf(' ')), head, headers, body }, c, n);
      if (reply === 'silent') continue;
      if (reply === null) return c.end();
      c.write(reply);
    }
  };
}

export const ok = (r: RtspReq, extra = '', body = ''): string =>
  `RTSP/1.0 200 OK\r\nCSeq: ${r.headers.get('cseq')}\r\n${extra}${body ? `Content-Length: ${body.length}\r\n` : ''}\r\n${body}`;
export const rtp = (channel: number, payload: string): Buffer =>
  Buffer.concat([Buffer.from([0x24, channel, payload.length >> 8, payload.length & 0xff]), Buffer.from(payload)]);
