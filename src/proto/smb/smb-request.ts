// One SMB transfer on a connection (libcurl 7.88's smb_connection_state and
// smb_request_state in lib/smb.c). One message is in flight at a time: every
// step sends the next one when the server answered the last.
//
// Theory of operation. A new connection first runs the connection's own
// exchange (SmbSession.state): NEGOTIATE for "NT LM 0.12", whose answer
// carries the 8-byte challenge, then SESSION_SETUP_ANDX with the LM and NT
// (v1) responses src/auth/ntlm-core.ts computes from the password; a refusal
// is CURLE_LOGIN_DENIED. A reused connection skips to the request:
// TREE_CONNECT_ANDX to \\host\share, NT_CREATE_ANDX of the path (opened for
// reading, or created/truncated for an upload), then READ_ANDX of 32 KiB at
// a time until one brings less, or WRITE_ANDX of up to 32767 bytes at a
// time until INFILESIZE bytes are written; CLOSE and TREE_DISCONNECT follow
// whatever happened after the open (their answers are not checked), and the
// request's result is returned after them, as libcurl does. Where libcurl
// would read past a short or lying message, or wait for ever on a closed
// connection, this fails with CURLE_RECV_ERROR instead.
import { CURLE, type CURLcode } from '../../codes.js';
import { CURL_POLL, CURLPAUSE } from '../../constants.js';
import { CURLOPT } from '../../easy/option-table.js';
import { HTTPREQ } from '../../easy/option-store.js';
import type { Connection } from '../../conn/connection.js';
import type { Transfer } from '../../multi/transfer.js';
import { CLIENTWRITE, PAUSED } from '../../cw/client-write.js';
import type { CallbackGuard } from '../../util/callback-depth.js';
import { textToBuffer } from '../../url/url-bytes.js';
import type { CallbackReader } from '../../cr/callback-reader.js';
import { lmHash, lmResponse, ntHash } from '../../auth/ntlm-core.js';
import type { ProtocolRequest } from '../handler.js';
import { MeteredRecv } from '../metered-recv.js';
import { freshUploadSource } from '../upload-source.js';
import {
  closeBody, fileTimeToUnix, MAX_PAYLOAD_SIZE, negotiateBody, negotiateReply, ntCreateBody, ntCreateReply, readBody,
  readReply, setupBody, SMB_COM, SMB_ERR_NOACCESS, SmbMessageReader, smbMessage, treeConnectBody, treeDisconnectBody,
  writeHeaderFor, writeReply, type SmbIds, type SmbReply,
} from './smb-packets.js';
import { SmbSession, SmbTarget, smbCredentials, smbLoginKey, splitSmbUser } from './smb-session.js';

/** libcurl's smb_req_state (SMB_REQUESTING is start()) */
type ReqState = 'tree_connect' | 'open' | 'download' | 'upload' | 'close' | 'tree_disconnect' | 'done';

/** receives and messages handled per step at most (bounded work per call) */
const MAX_ROUNDS = 64;

/** A WRITE_ANDX whose data is being read from the application. */
interface UploadFill {
  parts: Buffer[];
  have: number;
  want: number;
}

export class SmbRequest implements ProtocolRequest {
  readonly #t: Transfer;
  readonly #conn: Connection;
  readonly #guard: CallbackGuard;
  readonly #target: SmbTarget;
  readonly #reader = new SmbMessageReader();
  #session: SmbSession | null = null;
  #state: ReqState | null = null;
  /** the request's result, returned after CLOSE and TREE_DISCONNECT (libcurl's req->result) */
  #result: CURLcode = CURLE.OK;
  #finished = false;
  readonly #in: MeteredRecv;
  #password: Buffer = Buffer.alloc(0);
  #user: Buffer = Buffer.alloc(0);
  #domain: Buffer = Buffer.alloc(0);
  #tid = 0;
  #fid = 0;
  /** where the next READ_ANDX or WRITE_ANDX starts (libcurl's data->req.offset) */
  #offset = 0;
  #upload: boolean;
  #uploadSize = 0;
  #uploaded = 0;
  #source: CallbackReader | null = null;
  #fill: UploadFill | null = null;

  constructor(t: Transfer, conn: Connection, guard: CallbackGuard, target: SmbTarget) {
    this.#t = t;
    this.#in = new MeteredRecv(t);
    this.#conn = conn;
    this.#guard = guard;
    this.#target = target;
    this.#upload = t.opts.method === HTTPREQ.PUT;
  }

  get #ids(): SmbIds {
    return { uid: this.#session?.uid ?? 0, tid: this.#tid, pid: process.pid };
  }

  start(): CURLcode {
    const s = this.#conn.protoSession;
    if (s instanceof SmbSession && s.state === 'connected') {
      this.#session = s;
      return this.#beginRequest();
    }
    // smb_connect: without a user there is nothing to log in with
    const creds = smbCredentials(this.#t);
    if (creds.user === null) return this.#fail(CURLE.LOGIN_DENIED);
    const names = splitSmbUser(creds.user, this.#conn.host);
    this.#user = textToBuffer(names.user);
    this.#domain = textToBuffer(names.domain);
    this.#password = textToBuffer(creds.password);
    const session = new SmbSession(smbLoginKey(this.#t), this.#target.share);
    this.#session = session;
    this.#conn.protoSession = session;
    session.state = 'negotiate';
    return this.#send(smbMessage(SMB_COM.NEGOTIATE, this.#ids, negotiateBody()));
  }

  /** SMB_REQUESTING: an upload must know its size; the tree connect goes out. */
  #beginRequest(): CURLcode {
    const t = this.#t;
    if (this.#upload) {
      this.#uploadSize = t.opts.num(CURLOPT.INFILESIZE_LARGE);
      if (this.#uploadSize < 0) return this.#fail(CURLE.SEND_ERROR, 'SMB upload needs to know the size up front');
    }
    const body = treeConnectBody(textToBuffer(this.#conn.host), textToBuffer(this.#target.share));
    if (typeof body === 'number') return this.#fail(body);
    this.#state = 'tree_connect';
    return this.#send(smbMessage(SMB_COM.TREE_CONNECT_ANDX, this.#ids, body));
  }

  /**
   * The request ends with `code`; `message` is libcurl's failf text. Without
   * one (libcurl only returns the code) nothing is traced and the error
   * buffer stays empty: the tool says the code's own text.
   */
  #fail(code: CURLcode, message = ''): CURLcode {
    if (code !== CURLE.OK) this.#t.fail(code, message);
    this.#finished = true;
    return code;
  }

  #send(m: Buffer): CURLcode {
    const r = this.#conn.transport!.send(m);
    if (!r.ok) return this.#fail(CURLE.SEND_ERROR, `Send failure: ${r.error.message}`);
    return CURLE.OK;
  }

  step(): CURLcode {
    const transport = this.#conn.transport;
    if (!transport) return this.#fail(CURLE.SEND_ERROR);
    const t = this.#t;
    for (let i = 0; i < MAX_ROUNDS && !this.#finished; i++) {
      if (this.#fill !== null) {
        const c = this.#fillUpload();
        if (c !== CURLE.OK || this.#fill !== null) return c;
      }
      if (t.pauseBits & CURLPAUSE.RECV) return CURLE.OK;
      const m = this.#reader.next();
      if (typeof m === 'number') return this.#fail(m, 'SMB: invalid message from the server');
      if (m !== 'need') {
        const c = this.#onMessage(m);
        if (c !== CURLE.OK) return c;
        continue;
      }
      const data = this.#in.read(transport);
      if (data === 'wait') return CURLE.OK;
      if (data === 'eof') return this.#fail(CURLE.RECV_ERROR, 'Connection closed by the SMB server');
      if ('failure' in data) return this.#fail(CURLE.RECV_ERROR, data.failure);
      this.#reader.feed(data);
    }
    return CURLE.OK;
  }

  #onMessage(m: SmbReply): CURLcode {
    const s = this.#session!;
    if (s.state === 'negotiate') {
      const n = negotiateReply(m);
      // libcurl gives no reason: "Couldn't connect to server"
      if (n === null || m.status !== 0) return this.#fail(CURLE.COULDNT_CONNECT);
      const setup = setupBody({
        user: this.#user, domain: this.#domain, sessionKey: n.sessionKey,
        lm: lmResponse(lmHash(this.#password), n.challenge), nt: lmResponse(ntHash(this.#password), n.challenge),
      });
      if (typeof setup === 'number') return this.#fail(setup);
      s.state = 'setup';
      return this.#send(smbMessage(SMB_COM.SETUP_ANDX, this.#ids, setup));
    }
    if (s.state === 'setup') {
      if (m.status !== 0) return this.#fail(CURLE.LOGIN_DENIED);
      s.uid = m.uid;
      s.state = 'connected';
      return this.#beginRequest();
    }
    return this.#onRequestReply(m);
  }

  /** smb_request_state's first switch: what the answer means, and which message is next. */
  #onRequestReply(m: SmbReply): CURLcode {
    const t = this.#t;
    let next: ReqState = 'done';
    switch (this.#state) {
      case 'tree_connect':
        if (m.status !== 0) {
          this.#result = m.status === SMB_ERR_NOACCESS ? CURLE.REMOTE_ACCESS_DENIED : CURLE.REMOTE_FILE_NOT_FOUND;
          break;
        }
        this.#tid = m.tid;
        next = 'open';
        break;
      case 'open': {
        const r = ntCreateReply(m);
        if (m.status !== 0 || r === null) {
          this.#result = m.status === SMB_ERR_NOACCESS ? CURLE.REMOTE_ACCESS_DENIED : CURLE.REMOTE_FILE_NOT_FOUND;
          next = 'tree_disconnect';
          break;
        }
        this.#fid = r.fid;
        this.#offset = 0;
        if (this.#upload) {
          t.uploadLength = this.#uploadSize;
          next = 'upload';
        } else if (r.size < 0n) {
          this.#result = CURLE.WEIRD_SERVER_REPLY;
          next = 'close';
        } else {
          t.contentLength = Number(r.size);
          if (t.opts.num(CURLOPT.FILETIME)) t.filetime = fileTimeToUnix(r.changeTime);
          next = 'download';
        }
        break;
      }
      case 'download':
        next = this.#onRead(m);
        break;
      case 'upload': {
        const count = writeReply(m);
        if (m.status !== 0 || count === null) {
          this.#result = CURLE.UPLOAD_FAILED;
          next = 'close';
          break;
        }
        this.#uploaded += count;
        this.#offset += count;
        t.sizeUpload = this.#uploaded;
        next = this.#uploaded >= this.#uploadSize ? 'close' : 'upload';
        // a server that takes nothing would have this loop for ever
        if (count === 0 && next === 'upload') {
          this.#result = CURLE.UPLOAD_FAILED;
          next = 'close';
        }
        break;
      }
      case 'close':
        // a failed close does not matter: the tree goes anyway
        next = 'tree_disconnect';
        break;
      default:
        next = 'done';
    }
    return this.#sendNext(next);
  }

  /** A READ_ANDX answer: its data to the application; a short read ends the file. */
  #onRead(m: SmbReply): ReqState {
    const data = m.status !== 0 ? 'short' : readReply(m);
    if (data === 'short') {
      this.#result = CURLE.RECV_ERROR;
      return 'close';
    }
    if (data === 'invalid') {
      this.#t.fail(CURLE.RECV_ERROR, 'Invalid input packet');
      this.#result = CURLE.RECV_ERROR;
      return 'close';
    }
    if (data.length > 0) {
      const w = this.#t.writers.write(CLIENTWRITE.BODY, data);
      if (w !== CURLE.OK && w !== PAUSED) {
        this.#result = w;
        return 'close';
      }
    }
    this.#offset += data.length;
    return data.length < MAX_PAYLOAD_SIZE ? 'close' : 'download';
  }

  /** smb_request_state's second switch: send the next message, or end with the result. */
  #sendNext(next: ReqState): CURLcode {
    this.#state = next;
    switch (next) {
      case 'open': {
        const body = ntCreateBody(textToBuffer(this.#target.path), this.#upload);
        if (typeof body === 'number') return this.#fail(body);
        return this.#send(smbMessage(SMB_COM.NT_CREATE_ANDX, this.#ids, body));
      }
      case 'download':
        return this.#send(smbMessage(SMB_COM.READ_ANDX, this.#ids, readBody(this.#fid, this.#offset)));
      case 'upload': {
        const src = this.#source ?? freshUploadSource(this.#t, this.#guard);
        if (typeof src === 'number') return this.#fail(src);
        this.#source = src;
        // one byte of the message is padding
        this.#fill = { parts: [], have: 0, want: Math.min(this.#uploadSize - this.#uploaded, MAX_PAYLOAD_SIZE - 1) };
        return this.#fillUpload();
      }
      case 'close':
        return this.#send(smbMessage(SMB_COM.CLOSE, this.#ids, closeBody(this.#fid)));
      case 'tree_disconnect':
        return this.#send(smbMessage(SMB_COM.TREE_DISCONNECT, this.#ids, treeDisconnectBody()));
      default:
        return this.#fail(this.#result);
    }
  }

  /** Read the WRITE_ANDX's data from the application; send the message once it is all there. */
  #fillUpload(): CURLcode {
    const f = this.#fill!;
    const t = this.#t;
    // bounded: every pass adds bytes or leaves
    while (f.have < f.want) {
      const r = this.#source!.read(f.want - f.have);
      if (r.kind === 'pause') {
        t.pauseBits |= CURLPAUSE.SEND;
        return CURLE.OK;
      }
      if (r.kind === 'error') return this.#fail(r.code, r.message);
      if (r.kind === 'eos' || r.data.length === 0) {
        const sent = this.#uploaded + f.have;
        return this.#fail(CURLE.READ_ERROR, `client read function EOF fail, only ${sent}/${this.#uploadSize} of needed bytes read`);
      }
      const piece = r.data.subarray(0, f.want - f.have);
      f.parts.push(Buffer.from(piece));
      f.have += piece.length;
    }
    this.#fill = null;
    const header = writeHeaderFor(this.#ids, this.#fid, this.#offset, f.have);
    return this.#send(Buffer.concat([header, ...f.parts]));
  }

  get done(): boolean {
    return this.#finished;
  }

  get reusable(): boolean {
    return this.#finished && this.#result === CURLE.OK && this.#session?.state === 'connected';
  }

  pollWhat(): number {
    if (this.#finished) return 0;
    if (this.#fill !== null) return 0;
    return this.#t.pauseBits & CURLPAUSE.RECV ? 0 : CURL_POLL.IN;
  }

  get wakeAt(): number | null {
    return null;
  }

  retainReceived(): void {
    this.#reader.retain();
  }

  resume(): CURLcode {
    // the writers delivered what they held; step() goes on with the next answer
    return CURLE.OK;
  }

  /** smb_connection_state: NEGOTIATE and SESSION_SETUP_ANDX */
  get loggingIn(): boolean {
    return this.#session !== null && this.#session.state !== 'connected';
  }

  get receivedAnything(): boolean {
    return this.#in.gotBytes;
  }
}
