// The RTSP protocol handler (rtsp://), after libcurl 7.88's rtsp.c:
// CURLOPT_RTSP_REQUEST picks the method (OPTIONS by default), the request goes
// to CURLOPT_RTSP_STREAM_URI ("*" when unset) with the next client CSeq, and
// the response's CSeq must match it (CURLE_RTSP_CSEQ_ERROR) and its Session
// the one set or learned (CURLE_RTSP_SESSION_ERROR). Interleaved RTP packets
// ('$' frames) before a response go whole to CURLOPT_INTERLEAVEFUNCTION (or,
// without one, to the write callback, as libcurl's rtp_client_write does);
// RTSPREQ_RECEIVE sends nothing and takes RTP until a response or the close.
//
// Where libcurl keeps its RTSP state — the next client and server CSeq
// (data->state) and a Session ID learned from a response (data->set) — this
// handler keeps it in the handle's options, which is what getinfo reads
// (RTSP_SESSION_ID, RTSP_CLIENT_CSEQ, RTSP_SERVER_CSEQ) and what setopt
// overrides; the last CSeq received is per handle too (RTSP_CSEQ_RECV). A
// brand-new connection starts a zero CSeq at 1 (rtsp_connect). Bytes after
// a response (RTP for the next request) stay with the connection, which
// stays usable while they arrive (rtsp_conncheck).
import { CURLE, type CURLcode } from '../codes.js';
import { CURL_POLL, CURLINFO_TYPE, CURLPAUSE, CURLPROTO } from '../constants.js';
import { CURLOPT } from '../easy/option-table.js';
import type { Connection } from '../conn/connection.js';
import type { Transfer } from '../multi/transfer.js';
import { CallbackReader } from '../cr/callback-reader.js';
import { CLIENTWRITE, PAUSED } from '../cw/client-write.js';
import type { CallbackGuard } from '../util/callback-depth.js';
import { callbackThrew } from '../util/callback-failure.js';
import { traceData, traceText } from '../util/trace.js';
import { nowMs } from '../util/clock.js';
import type { ProtocolHandler, ProtocolRequest } from './handler.js';
import { MeteredRecv } from './metered-recv.js';
import { RtspResponseReader, type RtspEvent } from './rtsp-response.js';
import { buildRtspRequest, RTSPREQ } from './rtsp-request.js';
import { setRtspCSeqRecv } from './rtsp-state.js';
import { freshUploadSource } from './upload-source.js';

const MAX_READS_PER_STEP = 32;
const MAX_EVENTS_PER_STEP = 4096;

type InterleaveCallback = (data: Buffer, userdata: unknown) => number;

class RtspRequest implements ProtocolRequest {
  readonly #t: Transfer;
  readonly #conn: Connection;
  readonly #guard: CallbackGuard;
  readonly #reader = new RtspResponseReader();
  #rtspreq: number = RTSPREQ.OPTIONS;
  #cseqSent = 0;
  #cseqRecv = 0;
  #out: Buffer[] = [];
  #upload: CallbackReader | null = null;
  #wantBody = false;
  #done = false;
  #reusable = false;
  readonly #in: MeteredRecv;
  #rtpChannel = -1;
  /** the response's body was left unread (a request without a body to read) */
  #unreadBody = false;

  constructor(t: Transfer, conn: Connection, guard: CallbackGuard) {
    this.#t = t;
    this.#in = new MeteredRecv(t);
    this.#conn = conn;
    this.#guard = guard;
    conn.idleInputOk = true;
  }

  #fail(code: CURLcode, message: string): CURLcode {
    this.#t.fail(code, message);
    this.#done = true;
    return code;
  }

  start(): CURLcode {
    const t = this.#t;
    const o = t.opts;
    this.#rtspreq = o.has(CURLOPT.RTSP_REQUEST) ? o.num(CURLOPT.RTSP_REQUEST) : RTSPREQ.OPTIONS;
    this.#cseqSent = o.num(CURLOPT.RTSP_CLIENT_CSEQ);
    if (this.#rtspreq === RTSPREQ.RECEIVE) {
      // nothing is sent: RTP (and a response, if one comes) is read as it arrives
      this.#wantBody = true;
      return CURLE.OK;
    }
    const b = buildRtspRequest(t, this.#rtspreq, this.#cseqSent);
    if (!b.ok) return this.#fail(b.code, b.message);
    this.#out.push(b.req.head);
    traceData(this.#guard, t, CURLINFO_TYPE.HEADER_OUT, b.req.head);
    t.requestSize = b.req.head.length;
    if (b.req.body) {
      this.#out.push(b.req.body);
      traceData(this.#guard, t, CURLINFO_TYPE.DATA_OUT, b.req.body);
      t.sizeUpload += b.req.body.length;
    }
    if (b.req.uploadSize !== 0) {
      const src = freshUploadSource(t, this.#guard);
      if (typeof src === 'number') return src;
      this.#upload = src;
      src.start(b.req.uploadSize);
    }
    this.#wantBody = b.req.wantBody;
    // the CSeq counts up once the request is on its way (rtsp_do)
    o.set(CURLOPT.RTSP_CLIENT_CSEQ, this.#cseqSent + 1);
    return CURLE.OK;
  }

  step(): CURLcode {
    const transport = this.#conn.transport;
    if (!transport) return CURLE.SEND_ERROR;
    const t = this.#t;
    let c = this.#send();
    if (c !== CURLE.OK) return c;
    for (let i = 0; i < MAX_READS_PER_STEP && !this.#done; i++) {
      c = this.#process();
      if (c !== CURLE.OK || this.#done) return c;
      if (t.pauseBits & CURLPAUSE.RECV) break;
      const data = this.#in.read(transport);
      if (data === 'wait') break;
      if (data === 'eof') {
        this.#reader.eof();
        c = this.#process();
        if (c !== CURLE.OK || this.#done) return c;
        return this.#closed();
      }
      if ('failure' in data) return this.#fail(CURLE.RECV_ERROR, data.failure);
      this.#reader.feed(data);
    }
    return CURLE.OK;
  }

  /** The server closed before the response ended. */
  #closed(): CURLcode {
    this.#done = true;
    if (this.#rtspreq === RTSPREQ.RECEIVE && !this.#reader.inResponse) return CURLE.OK;
    if (!this.#in.gotBytes) return this.#fail(CURLE.GOT_NOTHING, 'Empty reply from server');
    return this.#fail(CURLE.PARTIAL_FILE, 'transfer closed with outstanding read data remaining');
  }

  #send(): CURLcode {
    const t = this.#t;
    const transport = this.#conn.transport!;
    // bounded: the queue and the upload's size
    for (let n = 0; n < 64; n++) {
      while (this.#out.length > 0) {
        const r = transport.send(this.#out.shift()!);
        if (!r.ok) return this.#fail(CURLE.SEND_ERROR, 'Failed sending RTSP request');
      }
      if (this.#upload === null || transport.writeBlocked || t.pauseBits & CURLPAUSE.SEND) break;
      const r = this.#upload.read(t.opts.num(CURLOPT.UPLOAD_BUFFERSIZE));
      if (r.kind === 'pause') {
        t.pauseBits |= CURLPAUSE.SEND;
        break;
      }
      if (r.kind === 'error') return this.#fail(r.code, r.message);
      if (r.kind === 'data' && r.data.length > 0) {
        this.#out.push(Buffer.from(r.data));
        traceData(this.#guard, t, CURLINFO_TYPE.DATA_OUT, r.data);
        t.sizeUpload += r.data.length;
      }
      if (r.kind === 'eos' || r.eos) this.#upload = null;
    }
    if (this.#out.length === 0 && this.#upload === null) t.timing.posttransfer ||= nowMs();
    return CURLE.OK;
  }

  #process(): CURLcode {
    const t = this.#t;
    for (let i = 0; i < MAX_EVENTS_PER_STEP && !this.#done; i++) {
      if (t.pauseBits & CURLPAUSE.RECV) return CURLE.OK;
      const ev = this.#reader.next();
      if (ev.kind === 'need') return CURLE.OK;
      const c = this.#event(ev);
      if (c !== CURLE.OK) return c;
    }
    return CURLE.OK;
  }

  #event(ev: RtspEvent): CURLcode {
    const t = this.#t;
    switch (ev.kind) {
      case 'error':
        return this.#fail(ev.code, ev.message);
      case 'rtp':
        return this.#rtp(ev.channel, ev.packet);
      case 'status':
        t.responseCode = ev.code;
        return this.#headerLine(ev.raw, CLIENTWRITE.HEADER | CLIENTWRITE.STATUS);
      case 'header': {
        const c = this.#onHeader(ev.name, ev.value, ev.raw);
        if (c !== CURLE.OK) return c;
        return this.#headerLine(ev.raw, CLIENTWRITE.HEADER);
      }
      case 'headers-end': {
        if (ev.contentLength > 0) t.contentLength = ev.contentLength;
        const c = this.#headerLine(ev.raw, CLIENTWRITE.HEADER);
        if (c !== CURLE.OK || this.#wantBody || ev.contentLength === 0) return c;
        // a request without a body to read (OPTIONS, SETUP...) ends with the headers, as libcurl's
        // no_body does; the unread body would be the next response's first bytes: the connection goes
        this.#unreadBody = true;
        return this.#end();
      }
      case 'body': {
        traceData(this.#guard, t, CURLINFO_TYPE.DATA_IN, ev.data);
        const w = t.writers.write(CLIENTWRITE.BODY, ev.data);
        if (w !== CURLE.OK && w !== PAUSED) return this.#fail(w, t.errorMessage || 'Failure writing output to destination');
        return CURLE.OK;
      }
      case 'end':
        return this.#end();
      case 'need':
        return CURLE.OK;
    }
  }

  #headerLine(raw: Buffer, type: number): CURLcode {
    const t = this.#t;
    traceData(this.#guard, t, CURLINFO_TYPE.HEADER_IN, raw);
    t.headerSize += raw.length;
    const w = t.writers.write(type, raw);
    if (w !== CURLE.OK && w !== PAUSED) return this.#fail(w, t.errorMessage || 'Failed writing header');
    return CURLE.OK;
  }

  /** Curl_rtsp_parseheader: CSeq and Session; Content-Type for CURLINFO_CONTENT_TYPE. */
  #onHeader(name: string, value: string, raw: Buffer): CURLcode {
    const t = this.#t;
    const lower = name.toLowerCase();
    if (lower === 'cseq') {
      const m = /^[+-]?\d+/.exec(value);
      if (!m) return this.#fail(CURLE.RTSP_CSEQ_ERROR, `Unable to read the CSeq header: [${raw.toString('latin1')}]`);
      this.#cseqRecv = Number(m[0]);
      setRtspCSeqRecv(t.opts, this.#cseqRecv);
    } else if (lower === 'session') {
      // libcurl's "Got a blank Session ID" needs a line without its CRLF: a complete "Session:" line
      // gives the empty ID, which 7.88 then learns or compares like any other
      const id = /^[^;\s]*/.exec(value)![0];
      const want = t.opts.str(CURLOPT.RTSP_SESSION_ID);
      if (want === null) t.opts.set(CURLOPT.RTSP_SESSION_ID, id);
      else if (want !== id) {
        return this.#fail(CURLE.RTSP_SESSION_ERROR, `Got RTSP Session ID Line [${raw.toString('latin1').slice(raw.indexOf(':') + 1).replace(/^[ \t]+/, '')}], but wanted ID [${want}]`);
      }
    } else if (lower === 'content-type') {
      t.contentType = value;
    }
    return CURLE.OK;
  }

  /** rtsp_done's checks; what came after the response stays with the connection. */
  #end(): CURLcode {
    const t = this.#t;
    this.#done = true;
    const rest = this.#reader.takeLeftover();
    if (rest.length > 0) this.#conn.transport?.unrecv(rest);
    if (this.#rtspreq !== RTSPREQ.RECEIVE && this.#cseqSent !== this.#cseqRecv) {
      return this.#fail(CURLE.RTSP_CSEQ_ERROR, `The CSeq of this request ${this.#cseqSent} did not match the response ${this.#cseqRecv}`);
    }
    if (this.#rtspreq === RTSPREQ.RECEIVE && this.#rtpChannel === -1) traceText(this.#guard, t, `Got an RTP Receive with a CSeq of ${this.#cseqRecv}`);
    this.#reusable = this.#upload === null && this.#out.length === 0 && !this.#unreadBody;
    return CURLE.OK;
  }

  /** rtp_client_write: the whole packet to INTERLEAVEFUNCTION, else the write callback. */
  #rtp(channel: number, packet: Buffer): CURLcode {
    const t = this.#t;
    this.#rtpChannel = channel;
    const fn = t.opts.get(CURLOPT.INTERLEAVEFUNCTION) as InterleaveCallback | null;
    let n: number;
    if (fn !== null) {
      try {
        n = this.#guard.inCallback(() => fn(packet, t.opts.get(CURLOPT.INTERLEAVEDATA)));
      } catch (err) {
        return this.#fail(CURLE.WRITE_ERROR, callbackThrew(this.#guard, err, CURLE.WRITE_ERROR, 'CURLOPT_INTERLEAVEFUNCTION', t));
      }
    } else {
      const w = t.writers.write(CLIENTWRITE.BODY, packet);
      if (w === PAUSED) return this.#fail(CURLE.WRITE_ERROR, 'Cannot pause RTP');
      n = w === CURLE.OK ? packet.length : -1;
    }
    if (n !== packet.length) return this.#fail(CURLE.WRITE_ERROR, 'Cannot write a RTP packet');
    return CURLE.OK;
  }

  get done(): boolean {
    return this.#done;
  }

  get reusable(): boolean {
    return this.#reusable;
  }

  pollWhat(): number {
    if (this.#done) return 0;
    const t = this.#t;
    let what = t.pauseBits & CURLPAUSE.RECV ? 0 : CURL_POLL.IN;
    if (this.#out.length > 0 || (this.#upload !== null && !(t.pauseBits & CURLPAUSE.SEND))) what |= CURL_POLL.OUT;
    return what;
  }

  get wakeAt(): number | null {
    return null;
  }

  retainReceived(): void {
    this.#reader.retain();
  }

  resume(): CURLcode {
    return this.#process();
  }

  get receivedAnything(): boolean {
    return this.#in.gotBytes;
  }
}

export const RTSP_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'rtsp',
  defaultPort: 554,
  protocol: CURLPROTO.RTSP,
  flags: 0,
  alpn: [],
  request: (t: Transfer, conn: Connection, guard: CallbackGuard): ProtocolRequest => new RtspRequest(t, conn, guard),
  // rtsp_connect: a CSeq still at 0 starts at 1 on a new connection
  newConnection(t: Transfer): void {
    if (t.opts.num(CURLOPT.RTSP_CLIENT_CSEQ) === 0) t.opts.set(CURLOPT.RTSP_CLIENT_CSEQ, 1);
    if (t.opts.num(CURLOPT.RTSP_SERVER_CSEQ) === 0) t.opts.set(CURLOPT.RTSP_SERVER_CSEQ, 1);
  },
});
