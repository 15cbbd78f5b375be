// The RTSP request head, as libcurl 7.88's rtsp_do() assembles it, without
// I/O: "METHOD STREAM-URI RTSP/1.0", CSeq, Session, then Transport (SETUP),
// Accept and Accept-Encoding (DESCRIBE), Range (PLAY, PAUSE, RECORD),
// Referer, User-Agent, Authorization (Basic), the time condition (SETUP,
// DESCRIBE), the application's headers (CURLOPT_RTSPHEADER, which is
// HTTPHEADER), and for ANNOUNCE / GET_PARAMETER / SET_PARAMETER with a body
// its Content-Length and Content-Type. The checks are libcurl's, with its
// messages (and its quirk: only GET_PARAMETER, SET_PARAMETER and RECORD
// refuse to go without a session ID, the bit test in rtsp_do).
import { CURLE, type CURLcode } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import type { Transfer } from '../multi/transfer.js';
import { textToBuffer } from '../url/url-bytes.js';
import { customHeaders } from './http-request.js';
import { timeConditionLine } from './http-request-lines.js';
import { optionCredentials } from './redirect.js';

/** CURL_RTSPREQ_*. */
export const RTSPREQ = {
  NONE: 0, OPTIONS: 1, DESCRIBE: 2, ANNOUNCE: 3, SETUP: 4, PLAY: 5, PAUSE: 6, TEARDOWN: 7,
  GET_PARAMETER: 8, SET_PARAMETER: 9, RECORD: 10, RECEIVE: 11,
} as const;

const METHOD: Readonly<Record<number, string>> = {
  1: 'OPTIONS', 2: 'DESCRIBE', 3: 'ANNOUNCE', 4: 'SETUP', 5: 'PLAY', 6: 'PAUSE', 7: 'TEARDOWN',
  8: 'GET_PARAMETER', 9: 'SET_PARAMETER', 10: 'RECORD',
};

export interface RtspRequestHead {
  head: Buffer;
  /** POSTFIELDS sent after the head */
  body: Buffer | null;
  /** bytes to read from the read callback after the head (UPLOAD), -1 unknown, 0 none */
  uploadSize: number;
  /** the response's body goes to the application (libcurl's !no_body) */
  wantBody: boolean;
}

export type RtspBuild = { ok: true; req: RtspRequestHead } | { ok: false; code: CURLcode; message: string };

const fail = (code: CURLcode, message: string): RtspBuild => ({ ok: false, code, message });

/** rtsp_do up to sending: the request for `rtspreq` with CSeq `cseq`. */
export function buildRtspRequest(t: Transfer, rtspreq: number, cseq: number): RtspBuild {
  const o = t.opts;
  const method = METHOD[rtspreq];
  if (method === undefined) return fail(CURLE.BAD_FUNCTION_ARGUMENT, 'Got invalid RTSP request');
  const session = o.str(CURLOPT.RTSP_SESSION_ID);
  // rtsp_do's test is `rtspreq & ~(OPTIONS | DESCRIBE | SETUP)`: a bit test on consecutive numbers
  if (session === null && (rtspreq & ~7) !== 0) {
    return fail(CURLE.BAD_FUNCTION_ARGUMENT, `Refusing to issue an RTSP request [${method}] without a session ID.`);
  }
  const custom = customHeaders(o.get(CURLOPT.HTTPHEADER) as string[] | null);
  const has = (name: string): boolean => custom.some((h) => h.name.toLowerCase() === name.toLowerCase());
  const lines: string[] = [`${method} ${o.str(CURLOPT.RTSP_STREAM_URI) ?? '*'} RTSP/1.0`, `CSeq: ${cseq}`];
  if (has('CSeq')) return fail(CURLE.RTSP_CSEQ_ERROR, 'CSeq cannot be set as a custom header.');
  if (has('Session')) return fail(CURLE.BAD_FUNCTION_ARGUMENT, 'Session ID cannot be set as a custom header.');
  if (session !== null) lines.push(`Session: ${session}`);
  if (rtspreq === RTSPREQ.SETUP && !has('Transport')) {
    const tr = o.str(CURLOPT.RTSP_TRANSPORT);
    if (tr === null) return fail(CURLE.BAD_FUNCTION_ARGUMENT, 'Refusing to issue an RTSP SETUP without a Transport: header.');
    lines.push(`Transport: ${tr}`);
  }
  if (rtspreq === RTSPREQ.DESCRIBE) {
    if (!has('Accept')) lines.push('Accept: application/sdp');
    const enc = o.str(CURLOPT.ACCEPT_ENCODING);
    if (!has('Accept-Encoding') && enc !== null) lines.push(`Accept-Encoding: ${enc === '' ? 'deflate, gzip, br, zstd' : enc}`);
  }
  const range = o.str(CURLOPT.RANGE);
  if (range !== null && (rtspreq === RTSPREQ.PLAY || rtspreq === RTSPREQ.PAUSE || rtspreq === RTSPREQ.RECORD) && !has('Range')) {
    lines.push(`Range: ${range}`);
  }
  const referer = o.str(CURLOPT.REFERER);
  if (referer !== null && !has('Referer')) lines.push(`Referer: ${referer}`);
  const ua = o.str(CURLOPT.USERAGENT);
  if (ua !== null && !has('User-Agent')) lines.push(`User-Agent: ${ua}`);
  const given = optionCredentials(t);
  const user = given.username ?? t.url?.user ?? null;
  if (user !== null && !has('Authorization')) {
    const password = given.password ?? t.url?.password ?? '';
    lines.push(`Authorization: Basic ${Buffer.concat([textToBuffer(user), Buffer.from(':'), textToBuffer(password)]).toString('base64')}`);
  }
  if (rtspreq === RTSPREQ.SETUP || rtspreq === RTSPREQ.DESCRIBE) {
    const tc = timeConditionLine(t, new Set(custom.map((h) => h.name.toLowerCase())));
    if (tc !== null) lines.push(tc);
  }
  for (const h of custom) if (h.line !== null) lines.push(h.line);
  let body: Buffer | null = null;
  let uploadSize = 0;
  let wantBody = rtspreq === RTSPREQ.DESCRIBE || rtspreq === RTSPREQ.GET_PARAMETER;
  if (rtspreq === RTSPREQ.ANNOUNCE || rtspreq === RTSPREQ.SET_PARAMETER || rtspreq === RTSPREQ.GET_PARAMETER) {
    const infile = o.num(CURLOPT.INFILESIZE_LARGE);
    let size: number;
    if (o.num(CURLOPT.UPLOAD) !== 0) {
      size = uploadSize = infile;
    } else {
      const pf = o.get(CURLOPT.POSTFIELDS) as string | Buffer | null;
      const bytes = pf === null ? Buffer.alloc(0) : Buffer.isBuffer(pf) ? pf : textToBuffer(pf);
      size = infile !== -1 ? infile : bytes.length;
      body = bytes.subarray(0, Math.max(0, size));
    }
    if (size > 0) {
      if (!has('Content-Length')) lines.push(`Content-Length: ${size}`);
      if (!has('Content-Type')) lines.push(rtspreq === RTSPREQ.ANNOUNCE ? 'Content-Type: application/sdp' : 'Content-Type: text/parameters');
    } else if (rtspreq === RTSPREQ.GET_PARAMETER) {
      // an empty GET_PARAMETER is a heartbeat: no body is expected back
      wantBody = false;
    }
  }
  const head = Buffer.from(lines.map((l) => l + '\r\n').join('') + '\r\n', 'latin1');
  return { ok: true, req: { head, body: body !== null && body.length > 0 ? body : null, uploadSize, wantBody } };
}
