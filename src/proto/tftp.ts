// The TFTP protocol handler (tftp://), after libcurl 7.88's lib/tftp.c: a
// download sends RRQ and acknowledges DATA blocks, an upload (UPLOAD) sends
// WRQ and DATA blocks as they are acknowledged; blksize and tsize (and
// timeout) are negotiated with RFC 2347 options unless TFTP_NO_OPTIONS.
//
// Theory of operation. The handler has PROTOPT.UDP: the engine resolves the
// host and binds a datagram socket (Connection.datagram, src/cf/
// udp-connector.ts); the request reports that socket in pollset(), so the
// multi-socket API hands it to SOCKETFUNCTION like any TCP socket. start()
// is tftp_connect + the INIT event: the first packet goes out. step() is
// tftp_multi_statemach: when the retry timer expired it feeds the state
// machine a TIMEOUT event (resend the last packet, count the retry), else
// it reads the queued datagrams and feeds each one's opcode as the event.
// The states are libcurl's: START (the request is out), RX, TX, FIN. The
// retry time and count come from the time left (tftp_set_timeouts): with
// no timeouts set, 6 s x 50 while waiting for the first answer, then 72 s x 50.
// wakeAt is when the retry timer expires, so the engine's REQUEST expiry
// runs the request without any datagram. A TFTP error ends in FIN with the
// error, which becomes the transfer's CURLcode (tftp_translate_code).
//
// Where this differs from 7.88, on purpose: once the server answered, its
// address and port (its transfer id) are the only source accepted; 7.88
// takes any datagram on the socket. A paused write callback stops reading
// until unpaused, and a paused read callback holds the block it was
// filling, where 7.88 would send a short block and end the upload.
import { CURLE, easyStrerror, type CURLcode } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { CURL_POLL, CURLINFO_TYPE, CURLPAUSE, CURLPROTO } from '../constants.js';
import { HTTPREQ } from '../easy/option-store.js';
import { CallbackReader } from '../cr/callback-reader.js';
import { CURLU, CURLUPART } from '../url/url-codes.js';
import { toBytes, urlDecode } from '../url/url-bytes.js';
import { nowMs } from '../util/clock.js';
import { traceData } from '../util/trace.js';
import { CLIENTWRITE, PAUSED } from '../cw/client-write.js';
import type { CallbackGuard } from '../util/callback-depth.js';
import type { Transfer } from '../multi/transfer.js';
import type { Connection } from '../conn/connection.js';
import type { UdpTransport, Datagram } from '../transport/udp-transport.js';
import type { PollEntry } from '../transport/transport.js';
import { PROTOPT, type ProtocolHandler, type ProtocolRequest } from './handler.js';
import { freshUploadSource } from './upload-source.js';
import {
  TFTP_OP, TFTP_ERR, TFTP_BLKSIZE_DEFAULT, TFTP_BLKSIZE_MAX, TFTP_BLKSIZE_MIN, tftpErrorCode, nextBlock,
  buildRequest, buildAck, buildErrorAck, dataPacket, packetBlock, packetOp, errorText, parseOack, strtol,
} from './tftp-packet.js';

/** libcurl's tftp_state_t, numbered as its "set timeouts for state N" line shows them. */
const ST = { START: 0, RX: 1, TX: 2, FIN: 3 } as const;
type State = (typeof ST)[keyof typeof ST];
/** libcurl's TFTP_EVENT_INIT and TFTP_EVENT_TIMEOUT (the other events are the opcodes) */
const EV_INIT = 0;
const EV_TIMEOUT = 7;
/** a datagram that is not part of the transfer: no event */
const EV_NONE = -1;
/** Datagrams one step() handles at most before the transfer yields. */
const STEP_PACKETS = 32;
/** DEFAULT_CONNECT_TIMEOUT: the budget of the first exchange without CONNECTTIMEOUT */
const DEFAULT_CONNECT_TIMEOUT_MS = 300_000;

/** ";mode=" in the path picks netascii ('a'/'n') or octet (tftp_setup_connection); TRANSFERTEXT says netascii too. */
function modeOf(path: string, t: Transfer): { path: string; ascii: boolean } {
  const at = path.indexOf(';mode=');
  if (at < 0) return { path, ascii: t.opts.num(CURLOPT.TRANSFERTEXT) !== 0 };
  const c = (path[at + 6] ?? '').toUpperCase();
  return { path: path.slice(0, at), ascii: c === 'A' || c === 'N' };
}

export class TftpRequest implements ProtocolRequest {
  readonly #t: Transfer;
  readonly #guard: CallbackGuard;
  readonly #udp: UdpTransport;
  /** where the first packet goes (the resolved server address) */
  readonly #server: { address: string; port: number };
  /** the server's transfer id: the source of its first answer */
  #peer: { address: string; port: number } | null = null;
  #state: State = ST.START;
  #error: number = TFTP_ERR.NONE;
  #upload = false;
  #retries = 0;
  #retryMax = 3;
  #retryTime = 1;
  #rxTime = 0;
  #block = 0;
  #blksize = TFTP_BLKSIZE_DEFAULT;
  #requestedBlksize = TFTP_BLKSIZE_DEFAULT;
  /** the last packet sent, resent on a timeout */
  #spacket: Buffer = Buffer.alloc(0);
  /** payload bytes of the last DATA sent (upload) */
  #sbytes = 0;
  /** upload: the block being filled while the read callback paused */
  #filling: Buffer[] | null = null;
  #reader: CallbackReader | null = null;
  #first: Buffer | null = null;
  /** libcurl's failf() without a failure yet: the error text if the transfer fails later */
  #failf: string | null = null;
  #got = false;
  #poll: PollEntry[];

  constructor(t: Transfer, conn: Connection, guard: CallbackGuard) {
    this.#t = t;
    this.#guard = guard;
    this.#udp = conn.datagram!;
    this.#server = { address: conn.primaryIp, port: conn.primaryPort };
    this.#poll = [{ transport: this.#udp, what: CURL_POLL.IN }];
  }

  #info(text: string): void {
    traceData(this.#guard, this.#t, CURLINFO_TYPE.TEXT, text + '\n');
  }

  #softFail(text: string): void {
    this.#info(text);
    this.#failf ??= text;
  }

  /**
   * The transfer ends with `code`, after the failf() `text` if given. Its
   * error text is the first failf() of the request, else libcurl's message
   * for the code, which 7.88 does not show with VERBOSE (tftp_translate_code
   * fails nothing itself).
   */
  #fail(code: CURLcode, text?: string): CURLcode {
    this.#state = ST.FIN;
    this.#reader = null;
    const t = this.#t;
    if (t.result !== CURLE.OK) return code;
    if (text !== undefined) this.#softFail(text);
    t.result = code;
    t.errorMessage = this.#failf ?? easyStrerror(code);
    return code;
  }

  /** tftp_connect + the INIT event of tftp_send_first. */
  start(): CURLcode {
    const t = this.#t;
    const shown = t.url!.handle.get(CURLUPART.PATH, CURLU.URLENCODE).value ?? '/';
    const { path, ascii } = modeOf(shown, t);
    // RFC 3617: the slash after the host separates, it is not part of the file name
    const decoded = urlDecode(toBytes(path.slice(1)), false);
    // (7.88 fails these two without a failf(): nothing shown with VERBOSE)
    if (decoded === null || decoded.includes('\0')) return this.#fail(CURLE.URL_MALFORMAT);
    const blk = t.opts.num(CURLOPT.TFTP_BLKSIZE);
    if (blk) {
      if (blk > TFTP_BLKSIZE_MAX || blk < TFTP_BLKSIZE_MIN) return this.#fail(CURLE.TFTP_ILLEGAL);
      this.#requestedBlksize = blk;
    }
    this.#upload = t.opts.method === HTTPREQ.PUT;
    const c = this.#setTimeouts();
    if (c !== CURLE.OK) return c;
    let infilesize = -1;
    if (this.#upload) {
      infilesize = t.opts.num(CURLOPT.INFILESIZE_LARGE);
      t.uploadLength = infilesize;
      const src = freshUploadSource(t, this.#guard);
      if (typeof src === 'number') return src;
      this.#reader = src;
      src.start(-1);
    }
    const built = buildRequest({
      upload: this.#upload,
      filename: Buffer.from(decoded, 'latin1'),
      mode: ascii ? 'netascii' : 'octet',
      options: t.opts.num(CURLOPT.TFTP_NO_OPTIONS) !== 0 ? null
        : { tsize: this.#upload && infilesize !== -1 ? infilesize : 0, blksize: this.#requestedBlksize, timeout: this.#retryTime },
    });
    if (!built.ok) return this.#fail(CURLE.TFTP_ILLEGAL, built.message);
    this.#first = built.packet;
    return this.#machine(EV_INIT);
  }

  /** Curl_timeleft(): ms left of TIMEOUT, and of CONNECTTIMEOUT while `connecting`; 0: no limit, <0: passed. */
  #timeleft(connecting: boolean): number {
    const t = this.#t;
    const elapsed = nowMs() - t.timing.start;
    const total = t.opts.hot().timeoutMs;
    let left = 0;
    if (total > 0) left = total - elapsed;
    if (connecting) {
      const c = (t.opts.hot().connectTimeoutMs || DEFAULT_CONNECT_TIMEOUT_MS) - elapsed;
      if (!(total > 0) || c < left) left = c;
    }
    else if (!(total > 0)) return 0;
    left = Math.floor(left);
    return left === 0 ? -1 : left;
  }

  /** tftp_set_timeouts(): the retry interval and count that fit the time left. */
  #setTimeouts(): CURLcode {
    const left = this.#timeleft(this.#state === ST.START);
    if (left < 0) return this.#fail(CURLE.OPERATION_TIMEDOUT, 'Connection time-out');
    const maxtime = left > 0 ? Math.floor((left + 500) / 1000) : 3600;
    this.#retryMax = Math.min(50, Math.max(3, Math.floor(maxtime / 5)));
    this.#retryTime = Math.max(1, Math.floor(maxtime / this.#retryMax));
    // 7.88 prints the total with printf's "% " flag: a space before a number that is not negative
    this.#info(`set timeouts for state ${this.#state}; Total ${left >= 0 ? ' ' : ''}${left}, retry ${this.#retryTime} maxtry ${this.#retryMax}`);
    this.#rxTime = nowMs();
    return CURLE.OK;
  }

  #send(packet: Buffer): void {
    this.#spacket = packet;
    const to = this.#peer ?? this.#server;
    this.#udp.send(packet, to.port, to.address);
  }

  /** tftp_state_machine(): feed one event (an opcode, 0 for INIT, EV_TIMEOUT) to the current state. */
  #machine(event: number): CURLcode {
    switch (this.#state) {
      case ST.START: return this.#sendFirst(event);
      case ST.RX: return this.#rx(event);
      case ST.TX: return this.#tx(event);
      default:
        this.#info('TFTP finished');
        return CURLE.OK;
    }
  }

  /** tftp_send_first(): the request, resent on timeouts, until the server answers. */
  #sendFirst(event: number): CURLcode {
    switch (event) {
      case EV_INIT:
      case EV_TIMEOUT:
        if (++this.#retries > this.#retryMax) {
          this.#error = TFTP_ERR.NORESPONSE;
          this.#state = ST.FIN;
          return CURLE.OK;
        }
        this.#send(this.#first!);
        return CURLE.OK;
      case TFTP_OP.OACK:
        return this.#upload ? this.#connectFor(ST.TX, event) : this.#connectFor(ST.RX, event);
      case TFTP_OP.ACK:
        return this.#connectFor(ST.TX, event);
      case TFTP_OP.DATA:
        return this.#connectFor(ST.RX, event);
      case TFTP_OP.ERROR:
        this.#state = ST.FIN;
        return CURLE.OK;
      default:
        this.#softFail('tftp_send_first: internal error');
        return CURLE.OK;
    }
  }

  #connectFor(state: State, event: number): CURLcode {
    this.#info(state === ST.TX ? 'Connected for transmit' : 'Connected for receive');
    this.#state = state;
    const c = this.#setTimeouts();
    if (c !== CURLE.OK) return c;
    return state === ST.TX ? this.#tx(event) : this.#rx(event);
  }

  /** tftp_rx(): acknowledge DATA blocks; the first short one ends the download. */
  #rx(event: number): CURLcode {
    switch (event) {
      case TFTP_OP.DATA: {
        const rblock = packetBlock(this.#lastPacket!);
        if (nextBlock(this.#block) === rblock) this.#retries = 0;
        else if (this.#block === rblock) this.#info(`Received last DATA packet block ${rblock} again.`);
        else {
          this.#info(`Received unexpected DATA packet block ${rblock}, expecting block ${nextBlock(this.#block)}`);
          return CURLE.OK;
        }
        this.#block = rblock;
        this.#send(buildAck(this.#block));
        this.#state = this.#lastPacket!.length < this.#blksize + 4 ? ST.FIN : ST.RX;
        this.#rxTime = nowMs();
        return CURLE.OK;
      }
      case TFTP_OP.OACK:
        this.#block = 0;
        this.#retries = 0;
        this.#send(buildAck(0));
        this.#state = ST.RX;
        this.#rxTime = nowMs();
        return CURLE.OK;
      case EV_TIMEOUT:
        return this.#retryTimedOut();
      case TFTP_OP.ERROR:
        this.#goodbye();
        return CURLE.OK;
      default:
        return this.#fail(CURLE.TFTP_ILLEGAL, 'tftp_rx: internal error');
    }
  }

  /** The retry timer expired in RX or TX (libcurl has the same branch in tftp_rx and tftp_tx): resend the last packet, or give up after retry_max. */
  #retryTimedOut(): CURLcode {
    this.#retries++;
    this.#info(`Timeout waiting for block ${nextBlock(this.#block)} ACK.  Retries = ${this.#retries}`);
    if (this.#retries > this.#retryMax) {
      this.#error = TFTP_ERR.TIMEOUT;
      this.#state = ST.FIN;
    } else this.#resend();
    return CURLE.OK;
  }

  /** tftp_tx(): send the next DATA block once the last one is acknowledged. */
  #tx(event: number): CURLcode {
    switch (event) {
      case TFTP_OP.ACK:
      case TFTP_OP.OACK: {
        if (event === TFTP_OP.ACK) {
          const rblock = packetBlock(this.#lastPacket!);
          // tftpd-hpa acknowledges block 0 as 65535 after a wrap
          if (rblock !== this.#block && !(this.#block === 0 && rblock === 65535)) {
            this.#info(`Received ACK for block ${rblock}, expecting ${this.#block}`);
            if (++this.#retries > this.#retryMax) {
              return this.#fail(CURLE.SEND_ERROR, `tftp_tx: giving up waiting for block ${this.#block} ack`);
            }
            this.#resend();
            return CURLE.OK;
          }
          this.#rxTime = nowMs();
          this.#block = nextBlock(this.#block);
        } else this.#block = 1;
        this.#retries = 0;
        if (this.#block > 1 && this.#sbytes < this.#blksize) {
          this.#state = ST.FIN;
          return CURLE.OK;
        }
        this.#filling = [];
        return this.#fill();
      }
      case EV_TIMEOUT:
        return this.#retryTimedOut();
      case TFTP_OP.ERROR:
        this.#goodbye();
        return CURLE.OK;
      default:
        this.#softFail(`tftp_tx: internal error, event: ${event}`);
        return CURLE.OK;
    }
  }

  /** Read the next block from the application (up to blksize, or what is left) and send it. */
  #fill(): CURLcode {
    const parts = this.#filling!;
    let have = parts.reduce((n, b) => n + b.length, 0);
    // bounded: every pass adds bytes or ends the loop
    while (have < this.#blksize) {
      const r = this.#reader!.read(this.#blksize - have);
      if (r.kind === 'pause') {
        // libcurl's KEEP_SEND_PAUSE: no read, and no wake, until easy.pause(CONT) clears it
        this.#t.pauseBits |= CURLPAUSE.SEND;
        return CURLE.OK;
      }
      if (r.kind === 'error') return this.#fail(r.code, r.message);
      if (r.kind === 'eos' || r.data.length === 0) break;
      parts.push(Buffer.from(r.data.subarray(0, this.#blksize - have)));
      have += Math.min(r.data.length, this.#blksize - have);
      if (r.eos) break;
    }
    this.#filling = null;
    this.#sbytes = have;
    // the wait for this block's ACK starts now, not when the last ACK came (a pause can lie between)
    this.#rxTime = nowMs();
    this.#send(dataPacket(this.#block, Buffer.concat(parts, have)));
    this.#t.sizeUpload += have;
    return CURLE.OK;
  }

  #resend(): void {
    this.#send(this.#spacket);
  }

  /** After an ERROR from the server: tell it we are done too (opcode ERROR, our block as the code). */
  #goodbye(): void {
    this.#send(buildErrorAck(this.#block));
    this.#state = ST.FIN;
  }

  #lastPacket: Buffer | null = null;

  /**
   * tftp_receive_packet(): what one datagram means, as the event for the
   * state machine (EV_NONE: skip it). A failure ends the request (FIN, the
   * transfer's result set).
   */
  #receive(d: Datagram): number {
    if (this.#peer === null) {
      this.#peer = { address: d.address, port: d.port };
      this.#udp.restrictTo(d.address, d.port);
    } else if (d.address !== this.#peer.address || d.port !== this.#peer.port) {
      // RFC 1350: a datagram from another transfer id is not part of this transfer
      this.#info(`Ignored a datagram from ${d.address} port ${d.port}`);
      return EV_NONE;
    }
    if (!this.#got) this.#t.timing.starttransfer = nowMs();
    this.#got = true;
    // recvfrom() into a buffer of blksize + 4: a longer datagram is cut there
    const p = d.data.length > this.#blksize + 4 ? d.data.subarray(0, this.#blksize + 4) : d.data;
    this.#lastPacket = p;
    if (p.length < 4) {
      this.#softFail('Received too short packet');
      return EV_TIMEOUT;
    }
    const op = packetOp(p);
    switch (op) {
      case TFTP_OP.DATA:
        if (p.length > 4 && nextBlock(this.#block) === packetBlock(p)) {
          const w = this.#t.writers.write(CLIENTWRITE.BODY, p.subarray(4));
          if (w !== CURLE.OK && w !== PAUSED) {
            this.#machine(TFTP_OP.ERROR);
            this.#fail(w);
            return EV_NONE;
          }
        }
        break;
      case TFTP_OP.ERROR: {
        this.#error = packetBlock(p);
        const text = errorText(p);
        if (text !== null) this.#info(`TFTP error: ${text}`);
        break;
      }
      case TFTP_OP.ACK:
        break;
      case TFTP_OP.OACK: {
        if (this.#optionAck(p) !== CURLE.OK) return EV_NONE;
        break;
      }
      default:
        this.#softFail('Internal error: Unexpected packet');
    }
    return op;
  }

  /** tftp_parse_option_ack(): the block size and size the server agreed to. */
  #optionAck(p: Buffer): CURLcode {
    this.#blksize = TFTP_BLKSIZE_DEFAULT;
    const opts = parseOack(p);
    if (opts === null) return this.#fail(CURLE.TFTP_ILLEGAL, 'Malformed ACK packet, rejecting');
    for (const { name, value } of opts) {
      this.#info(`got option=(${name}) value=(${value})`);
      const n = name.toLowerCase();
      if (n.startsWith('blksize')) {
        const blksize = strtol(value);
        if (!blksize) return this.#fail(CURLE.TFTP_ILLEGAL, 'invalid blocksize value in OACK packet');
        if (blksize > TFTP_BLKSIZE_MAX) return this.#fail(CURLE.TFTP_ILLEGAL, `blksize is larger than max supported (${TFTP_BLKSIZE_MAX})`);
        if (blksize < TFTP_BLKSIZE_MIN) return this.#fail(CURLE.TFTP_ILLEGAL, `blksize is smaller than min supported (${TFTP_BLKSIZE_MIN})`);
        if (blksize > this.#requestedBlksize) return this.#fail(CURLE.TFTP_ILLEGAL, `server requested blksize larger than allocated (${blksize})`);
        this.#blksize = blksize;
        this.#info(`blksize parsed from OACK (${blksize}) requested (${this.#requestedBlksize})`);
      } else if (n.startsWith('tsize')) {
        const tsize = strtol(value);
        this.#info(`tsize parsed from OACK (${tsize})`);
        // the size of the remote file means nothing to an upload
        if (!this.#upload) {
          if (!tsize) return this.#fail(CURLE.TFTP_ILLEGAL, `invalid tsize -:${value}:- value in OACK packet`);
          this.#t.contentLength = tsize;
        }
      }
    }
    return CURLE.OK;
  }

  /** tftp_multi_statemach(): a retry timeout, or the datagrams that arrived. */
  step(): CURLcode {
    if (this.#fin()) return this.#end();
    const t = this.#t;
    if (t.pauseBits & CURLPAUSE.RECV) return CURLE.OK;
    if (this.#filling !== null) {
      if (t.pauseBits & CURLPAUSE.SEND) return CURLE.OK;
      const c = this.#fill();
      if (c !== CURLE.OK) return c;
    }
    if (this.#timeleft(this.#state === ST.START) < 0) {
      // tftp_state_timeout: the time is up
      this.#error = TFTP_ERR.TIMEOUT;
      this.#state = ST.FIN;
      return this.#end();
    }
    const err = this.#udp.takeError();
    if (err) return this.#fail(CURLE.SEND_ERROR, err.message);
    const now = nowMs();
    if (now > this.#rxTime + this.#retryTime * 1000) {
      this.#rxTime = now; // updated even though nothing came
      const c = this.#machine(EV_TIMEOUT);
      if (c !== CURLE.OK) return this.#fail(c);
      return this.#fin() ? this.#end() : CURLE.OK;
    }
    for (let i = 0; i < STEP_PACKETS && !this.#fin() && this.#filling === null; i++) {
      if (t.pauseBits & CURLPAUSE.RECV) break;
      const d = this.#udp.recv();
      if (!d) break;
      const ev = this.#receive(d);
      if (t.result !== CURLE.OK) return this.#fail(t.result);
      if (ev === EV_NONE) continue;
      const c = this.#machine(ev);
      if (c !== CURLE.OK) return this.#fail(c);
    }
    return this.#fin() ? this.#end() : CURLE.OK;
  }

  /** FIN: the TFTP error, if any, is the transfer's result (tftp_done). */
  #end(): CURLcode {
    this.#reader = null;
    const code = tftpErrorCode(this.#error);
    if (code !== CURLE.OK) return this.#fail(code);
    if (this.#t.timing.posttransfer === 0) this.#t.timing.posttransfer = nowMs();
    return CURLE.OK;
  }

  /** FIN (a method: the state changes behind TypeScript's narrowing, inside the calls) */
  #fin(): boolean {
    return this.#state === ST.FIN;
  }

  get done(): boolean {
    return this.#fin();
  }

  get reusable(): boolean {
    return false;
  }

  pollWhat(): number {
    return 0;
  }

  pollset(): PollEntry[] {
    if (this.#fin() || this.#t.pauseBits & CURLPAUSE.RECV || this.#filling !== null) return NO_POLL;
    return this.#poll;
  }

  get wakeAt(): number | null {
    if (this.#fin()) return null;
    const t = this.#t;
    if (this.#filling !== null) return t.pauseBits & CURLPAUSE.SEND ? null : nowMs();
    if (t.pauseBits & CURLPAUSE.RECV) return null;
    return this.#rxTime + this.#retryTime * 1000 + 1;
  }

  retainReceived(): void {
    // datagrams are Buffers of their own, and the writers copy what they hold
  }

  resume(): CURLcode {
    return CURLE.OK;
  }

  get receivedAnything(): boolean {
    return this.#got;
  }

  abort(): void {
    this.#reader = null;
    this.#filling = null;
  }
}

const NO_POLL: PollEntry[] = [];

export const TFTP_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'tftp',
  defaultPort: 69,
  protocol: CURLPROTO.TFTP,
  flags: PROTOPT.UDP | PROTOPT.NOREUSE,
  alpn: [],
  request: (t: Transfer, conn: Connection, guard: CallbackGuard): ProtocolRequest => new TftpRequest(t, conn, guard),
});
