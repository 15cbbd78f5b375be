// The client writer stack of one transfer (libcurl's Curl_client_write() and
// its chain of client writers, docs/internals/CLIENT-WRITERS.md). Every
// protocol hands what it receives for the application to write(type, data):
// HTTP/1 headers and body, CONNECT response headers, and later HTTP/2 DATA,
// WebSocket frames and FTP data alike. The stack does the rest, in libcurl's
// writer phases:
//
//   BODY:   raw (an ignored body ends here) -> transfer
//           decoding (gzip transfer-coding; chunked is undone by the HTTP/1
//           parser) -> download (SIZE_DOWNLOAD and MAXFILESIZE count these
//           bytes, as libcurl's cw_download) -> content decoding -> client
//           (WRITEFUNCTION, with the pause buffer)
//   HEADER: client (HEADERFUNCTION, and the body stream with CURLOPT_HEADER)
//
// The phases are fixed slots of one class, not a linked list of writer
// objects: the per-chunk path is then a handful of monomorphic calls with no
// allocation, which the HTTP body benchmark depends on. The decoding phases
// exist only while the response has codings (added from its headers).
//
// Every stage is synchronous: decoded bytes reach the application in order,
// within the same call. A pause stops the decoders where they are (they keep
// their input, not their output) and holds the client's piece; unpause()
// delivers what was held and lets the decoders go on.
//
// The stack lives as long as its transfer; the decoders and the "ignore the
// body" flag belong to one response and go with resetResponse().
import { CURLE, easyStrerror } from '../codes.js';
import type { CallbackGuard } from '../util/callback-depth.js';
import { CLIENTWRITE, PAUSED, type ClientWriterHost, type WriteResult } from './client-write.js';
import { ClientWriter } from './client-writer.js';
import { ResponseDecoding, addContentCodings, addTransferCodings, type CodingPolicy, type CodingResult } from './decode-stack.js';
import type { DecodeOutcome, Emit } from './content-decoders.js';
import type { LoggableLine } from './head-log.js';

export class ClientWriterStack {
  readonly #host: ClientWriterHost;
  readonly #client: ClientWriter;
  /** the decoding phases of the response being received (null: no coding) */
  #decoding: ResponseDecoding | null = null;
  // the phases as the decoders' emit callbacks: made with the first decoder, once per transfer (not per chunk)
  #toDownload: Emit | null = null;
  #toClient: Emit | null = null;
  /**
   * This response's body is not for the application (a redirect that is
   * followed, an authentication round): it is traced and read, not
   * delivered (libcurl's req.ignorebody).
   */
  ignoreBody = false;

  constructor(host: ClientWriterHost, guard: CallbackGuard) {
    this.#host = host;
    this.#client = new ClientWriter(host, guard);
  }

  /**
   * Curl_client_write(): `data` of `type` (CLIENTWRITE bits) towards the
   * application. CURLE_OK, an error (the transfer is failed with its
   * message), or PAUSED: the application paused and holds the rest; the
   * caller stops feeding until unpause() (only a BODY write pauses).
   */
  write(type: number, data: Buffer): WriteResult {
    if (type & CLIENTWRITE.BODY) return this.#raw(data);
    const log = this.#host.headLog;
    if (log !== null) log.add(data, 0, data.length);
    return this.#client.header(type, data);
  }

  /**
   * libcurl's CLIENTWRITE_BOTH for lines a protocol makes up (FTP's file
   * facts with NOBODY): to the header callback, and to WRITEFUNCTION even
   * though NOBODY keeps the body away.
   */
  writeBoth(line: Buffer): WriteResult {
    this.#host.headLog?.add(line, 0, line.length);
    const h = this.#client.header(CLIENTWRITE.INFO, line);
    if (h !== CURLE.OK) return h;
    return this.#client.madeUpBody(line);
  }

  /**
   * Whether a header write() reaches the application at all (HEADERFUNCTION,
   * HEADERDATA or CURLOPT_HEADER): when not, a protocol may skip making the
   * line.
   */
  get wantsHeaders(): boolean {
    return this.#host.headLog !== null || this.#host.opts.hot().headerLines;
  }

  /**
   * A received header line given as an event that makes its Buffer only when
   * read (HTTP/1's in-place lines): a head log copies the bytes, the
   * application's callbacks get the Buffer.
   */
  headerLine(type: number, line: LoggableLine): WriteResult {
    const log = this.#host.headLog;
    if (log !== null) log.line(line);
    return this.#host.opts.hot().headerLines ? this.#client.header(type, line.raw) : CURLE.OK;
  }

  // ---- the body phases ------------------------------------------------------

  /**
   * raw: the body as the protocol got it (HTTP/1: after de-chunking); an
   * ignored body ends here. Then transfer decoding. (libcurl 8's raw writer
   * also traces DATA_IN; 7.88 traces network reads in the protocol's read
   * loop, so a file: read is not traced: the protocols do it.)
   */
  #raw(data: Buffer): WriteResult {
    if (this.ignoreBody) return CURLE.OK;
    const d = this.#decoding;
    if (d === null || d.transfer.depth === 0) return this.#download(data);
    return this.#finish(d.transfer.write(data, this.#toDownload!));
  }

  /** download (libcurl's CURL_CW_PROTOCOL): count, enforce MAXFILESIZE; then content decoding. */
  #download(data: Buffer): WriteResult {
    const t = this.#host;
    const max = t.opts.hot().maxFilesize;
    if (max > 0 && t.sizeDownload + data.length > max) {
      t.fail(CURLE.FILESIZE_EXCEEDED, 'Exceeded the maximum allowed file size (' + max + ') with ' + (t.sizeDownload + data.length) + ' bytes');
      return CURLE.FILESIZE_EXCEEDED;
    }
    t.sizeDownload += data.length;
    const d = this.#decoding;
    if (d === null || d.content.depth === 0) return this.#client.body(data);
    return this.#finish(d.content.write(data, this.#toClient!));
  }

  #finish(r: DecodeOutcome): WriteResult {
    if (r.code === PAUSED) return PAUSED;
    if (r.code !== CURLE.OK) {
      this.#host.fail(r.code, r.message ?? easyStrerror(r.code));
      return r.code;
    }
    return this.#host.pauseBits & 1 ? PAUSED : CURLE.OK;
  }

  // ---- decoders (added by the protocol from the response's headers) -------

  /** The codings of one Transfer-Encoding header value (Curl_build_unencoding_stack, transfer phase). */
  addTransferCodings(value: string, policy: CodingPolicy): CodingResult {
    return addTransferCodings(this.#decoders(), value, policy);
  }

  /** The codings of one Content-Encoding header value (content phase). */
  addContentCodings(value: string): CodingResult {
    return addContentCodings(this.#decoders(), value);
  }

  #decoders(): ResponseDecoding {
    this.#toDownload ??= (out) => this.#download(out);
    this.#toClient ??= (out) => this.#client.body(out);
    return (this.#decoding ??= new ResponseDecoding());
  }

  /** The response being received is over (a new status line, the end of the request): its decoders and flags go. */
  resetResponse(): void {
    this.#decoding?.close();
    this.#decoding = null;
    this.ignoreBody = false;
  }

  // ---- pause ------------------------------------------------------------------

  /** Body bytes are held for a paused application. */
  get holding(): boolean {
    return this.#client.holding;
  }

  /** How many body bytes are held (decoders keep their input compressed: not counted). */
  get heldBytes(): number {
    return this.#client.heldBytes;
  }

  /** The held pieces, oldest first. */
  get held(): readonly Buffer[] {
    return this.#client.held;
  }

  /**
   * The application unpaused receiving: the held bytes go out, then the
   * decoders that stopped for the pause go on (content ones first: they are
   * nearer the client). CURLE_OK when nothing is left stopped, PAUSED when
   * the application paused again, or an error.
   */
  unpause(): WriteResult {
    const r = this.#client.flush();
    if (r !== CURLE.OK) return r;
    const d = this.#decoding;
    if (d === null) return CURLE.OK;
    if (d.content.paused) {
      const c = this.#finish(d.content.resume(this.#toClient!));
      if (c !== CURLE.OK) return c;
    }
    if (d.transfer.paused) {
      const c = this.#finish(d.transfer.resume(this.#toDownload!));
      if (c !== CURLE.OK) return c;
    }
    return CURLE.OK;
  }

  /**
   * The transfer is over: nothing is delivered any more. What the stack
   * holds goes, the engine (the client writer's guard) included: a retired transfer must
   * not keep its multi reachable (see Transfer.retire()).
   */
  close(): void {
    this.resetResponse();
    this.#toDownload = null;
    this.#toClient = null;
    this.#client.close();
  }
}

export type { CodingPolicy, CodingResult };
