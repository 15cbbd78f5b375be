// node-libcurl's Curl: an EventEmitter around an Easy whose transfers run on
// a Multi shared by every Curl instance (or the one given to setMulti()),
// driven by the Node event loop. Events as node-libcurl emits them: 'data'
// and 'header' per chunk, 'end' (status, body, headers, curl), 'error'
// (error, errorCode, curl), 'stream' (Readable, status, headers, curl) with
// CurlFeature.StreamResponse. The body is a string and the headers the
// parsed HeaderInfo[] unless CurlFeature flags ask for raw Buffers or no
// storage.
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { CURLE, CURLINFO, version, versionInfo, VERSION } from '../../index.js';
import { Easy } from './easy.js';
import { Multi } from './multi.js';
import { CurlEasyError } from './errors.js';
import { CurlFeature } from './enums.js';
import { CurlInfoIds, CurlOptionIds, resolveOption } from './options.js';
import { mergeChunks, parseHeaders, type HeaderInfo } from './headers.js';
import { ResponseStream, UploadStream, type StreamHost } from './curl-streams.js';
import type { CurlyMimePart } from './mime-post.js';

const LIBCURL_VERSION_NUM = 0x075801;

let sharedMulti: Multi | null = null;
/** The Multi every Curl uses unless setMulti() gave another (curly's plain calls too). */
export function defaultMulti(): Multi {
  if (!sharedMulti || !sharedMulti.isOpen) sharedMulti = new Multi();
  return sharedMulti;
}

type ProgressFn = (dltotal: number, dlnow: number, ultotal: number, ulnow: number) => number;

/** The events and listener arguments, as node-libcurl declares them. */
export interface Curl {
  on(event: 'data', listener: (this: Curl, chunk: Buffer, curlInstance: Curl) => void): this;
  on(event: 'header', listener: (this: Curl, chunk: Buffer, curlInstance: Curl) => void): this;
  on(event: 'error', listener: (this: Curl, error: Error, errorCode: number, curlInstance: Curl) => void): this;
  on(event: 'stream', listener: (this: Curl, stream: Readable, status: number, headers: Buffer | HeaderInfo[], curlInstance: Curl) => void): this;
  on(event: 'end', listener: (this: Curl, status: number, data: string | Buffer, headers: Buffer | HeaderInfo[], curlInstance: Curl) => void): this;
  on(event: string, listener: (...args: any[]) => void): this;
}

export class Curl extends EventEmitter {
  /** curl_version() */
  static getVersion = (): string => version();
  /** The User-Agent every new Curl sends (null: none). */
  static defaultUserAgent: string | null = `node-libcurl/5.1.2 tscurl/${VERSION}`;
  /**
   * The libcurl version whose API and behaviour tscurl follows (7.88.1, the curl
   * it is tested against), not tscurl's own version: node-libcurl programs gate
   * features on it with isVersionGreaterOrEqualThan().
   */
  static VERSION_NUM: number = LIBCURL_VERSION_NUM;
  static info = CurlInfoIds;
  static option = CurlOptionIds;
  /** Handles in the shared Multi. */
  static getCount = (): number => (sharedMulti ? sharedMulti.getCount() : 0);

  isRunning = false;
  readonly handle: Easy;
  protected multiInstance?: Multi;
  protected chunks: Buffer[] = [];
  protected chunksLength = 0;
  protected headerChunks: Buffer[] = [];
  protected headerChunksLength = 0;
  protected features: number = CurlFeature.Empty;
  #response: ResponseStream | null = null;
  #upload: UploadStream | null = null;
  #highWaterMark: number | undefined = undefined;
  #streamProgress: ProgressFn | null = null;

  constructor(cloneHandle?: Easy) {
    super();
    this.handle = cloneHandle ?? new Easy();
    this.#installDefaults();
    if (Curl.defaultUserAgent !== null) this.handle.setOpt('USERAGENT', Curl.defaultUserAgent);
  }

  get id(): number { return this.handle.id; }
  get isOpen(): boolean { return this.handle.isOpen; }

  #installDefaults(): void {
    this.handle.setOpt('WRITEFUNCTION', this.#write);
    this.handle.setOpt('HEADERFUNCTION', this.#header);
  }

  readonly #write = (chunk: Buffer): number => {
    if (this.features & CurlFeature.StreamResponse) {
      this.#response ??= new ResponseStream(this.#streamHost, this.#highWaterMark);
      return this.#response.write(chunk);
    }
    if (!(this.features & CurlFeature.NoDataStorage)) {
      this.chunks.push(chunk);
      this.chunksLength += chunk.length;
    }
    this.emit('data', chunk, this);
    return chunk.length;
  };

  readonly #header = (chunk: Buffer): number => {
    if (!(this.features & CurlFeature.NoHeaderStorage)) {
      this.headerChunks.push(chunk);
      this.headerChunksLength += chunk.length;
    }
    this.emit('header', chunk, this);
    return chunk.length;
  };

  readonly #streamHost: StreamHost = ((curl: Curl): StreamHost => ({
    get isRunning() { return curl.isRunning; },
    handle: { get pauseFlags() { return curl.handle.pauseFlags; }, pause: (bits: number) => curl.handle.pause(bits) },
    announce: (stream) => curl.emit('stream', stream, curl.#status(), curl.getHeaders(), curl),
  }))(this);

  #status(): number {
    return this.handle.getInfo(CURLINFO.RESPONSE_CODE).data as number;
  }

  /** Enable CurlFeature bits (not while a request runs). */
  enable(bitmask: number): this {
    if (this.isRunning) throw new Error('You should not change the features while a request is running.');
    this.features |= bitmask;
    return this;
  }

  disable(bitmask: number): this {
    if (this.isRunning) throw new Error('You should not change the features while a request is running.');
    this.features &= ~bitmask;
    return this;
  }

  /** Set an option by name, camelCase alias or id; throws CurlEasyError with the CURLcode when libcurl refuses. */
  setOpt(option: string | number, value: unknown): this {
    const entry = resolveOption(option);
    let v = value;
    if (!value && entry?.name === 'WRITEFUNCTION') v = this.#write;
    else if (!value && entry?.name === 'HEADERFUNCTION') v = this.#header;
    const code = this.handle.setOpt(option, v);
    if (code !== CURLE.OK) {
      throw new CurlEasyError(code === CURLE.UNKNOWN_OPTION
        ? 'Unknown option given. First argument must be the option internal id or the option name. You can use the Curl.option constants.'
        : Easy.strError(code), code);
    }
    return this;
  }

  /** The value of a CURLINFO; throws CurlEasyError when libcurl has none. */
  getInfo(info: string | number): any {
    const { code, data } = this.handle.getInfo(info);
    if (code !== CURLE.OK) throw new CurlEasyError(`getInfo failed. Error: ${Easy.strError(code)}`, code);
    return data;
  }

  /** Upload the body from `stream` (null: stop). Reset after each request. */
  setUploadStream(stream: Readable | null): this {
    if (!stream) {
      if (this.#upload) {
        this.#upload.detach();
        this.#upload = null;
        this.handle.setOpt('READFUNCTION', null);
      }
      return this;
    }
    if (this.#upload?.stream === stream) return this;
    if (typeof (stream as { on?: unknown }).on !== 'function' || typeof (stream as { read?: unknown }).read !== 'function') {
      throw new Error('The passed value to setUploadStream does not looks like a stream object');
    }
    this.#upload?.detach();
    const upload = new UploadStream(this.#streamHost, stream);
    this.#upload = upload;
    this.handle.setOpt('READFUNCTION', (buf: Buffer) => upload.read(buf));
    return this;
  }

  /** highWaterMark of the response stream (null: Node's default); also sizes BUFFERSIZE as node-libcurl does. */
  setStreamResponseHighWaterMark(highWaterMark: number | null): this {
    this.#highWaterMark = highWaterMark || undefined;
    const size = highWaterMark ? Math.max(1024, Math.min(highWaterMark, 10 * 1024 * 1024)) : 16 * 1024;
    this.setOpt('BUFFERSIZE', size);
    return this;
  }

  /** The progress callback while a stream feature is in use. */
  setStreamProgressCallback(cb: ProgressFn | null): this {
    this.#streamProgress = cb;
    return this;
  }

  /** XFERINFOFUNCTION (NOPROGRESS must be false for it to be called). */
  setProgressCallback(cb: ProgressFn | null): this {
    this.handle.setOpt('XFERINFOFUNCTION', cb);
    return this;
  }

  /** Run this instance's requests on `multi` instead of the shared one. */
  setMulti(multi: Multi | undefined): this {
    this.multiInstance = multi;
    return this;
  }

  /** Start the request; its end is the 'end' or 'error' event. */
  perform(): this {
    if (this.isRunning) throw new Error('Handle already running!');
    this.isRunning = true;
    if (this.features & CurlFeature.StreamResponse || this.#upload) {
      this.handle.setOpt('XFERINFOFUNCTION', this.#streamProgressFn);
      this.handle.setOpt('NOPROGRESS', false);
    }
    const multi = this.multiInstance ?? defaultMulti();
    const settle = (fn: () => void): void => {
      // close() during the transfer: it ended without events
      if (!this.handle.isOpen) return;
      if (this.handle.isInsideMultiHandle) {
        try { multi.removeHandle(this.handle); } catch { /* closed meanwhile */ }
      }
      fn();
    };
    multi.perform(this.handle).then(
      () => settle(() => this.onEnd()),
      (error: CurlEasyError) => settle(() => this.onError(error, error.code)),
    );
    return this;
  }

  readonly #streamProgressFn = (dltotal: number, dlnow: number, ultotal: number, ulnow: number): number => {
    const failed = this.#response?.error ?? this.#upload?.error;
    if (failed) throw failed;
    return this.#streamProgress ? this.#streamProgress.call(this.handle, dltotal, dlnow, ultotal, ulnow) : 0;
  };

  protected onError(error: Error, errorCode: number): void {
    this.resetInternalState();
    this.emit('error', error, errorCode, this);
  }

  protected onEnd(): void {
    const streaming = (this.features & CurlFeature.StreamResponse) !== 0;
    const store = !streaming && !(this.features & CurlFeature.NoDataStorage);
    const parse = store && !(this.features & CurlFeature.NoDataParsing);
    const raw = store ? mergeChunks(this.chunks, this.chunksLength) : Buffer.alloc(0);
    const data = parse ? raw.toString('utf8') : raw;
    const headers = this.getHeaders();
    const status = this.#status();
    if (streaming) {
      if (this.#response?.stream) this.#response.end();
      else {
        const empty = ResponseStream.empty();
        process.nextTick(() => this.emit('stream', empty, status, headers, this));
      }
      setImmediate(() => {
        this.resetInternalState();
        this.emit('end', status, data, headers, this);
      });
      return;
    }
    this.resetInternalState();
    this.emit('end', status, data, headers, this);
  }

  /** Stored headers: HeaderInfo[] (or the raw Buffer with NoHeaderParsing). */
  protected getHeaders(): Buffer | HeaderInfo[] {
    const store = !(this.features & CurlFeature.NoHeaderStorage);
    const parse = store && !(this.features & CurlFeature.NoHeaderParsing);
    const raw = store ? mergeChunks(this.headerChunks, this.headerChunksLength) : Buffer.alloc(0);
    return parse ? parseHeaders(raw.toString('utf8')) : raw;
  }

  protected resetInternalState(): void {
    this.isRunning = false;
    this.chunks = [];
    this.chunksLength = 0;
    this.headerChunks = [];
    this.headerChunksLength = 0;
    const streamed = this.#response !== null || this.#upload !== null;
    this.#response = null;
    if (this.#upload) {
      this.#upload.detach();
      this.#upload = null;
      if (this.handle.isOpen) this.handle.setOpt('READFUNCTION', null);
    }
    if (streamed && this.handle.isOpen) this.handle.setOpt('XFERINFOFUNCTION', null);
    this.#streamProgress = null;
  }

  /** curl_easy_upkeep */
  upkeep(): this {
    const code = this.handle.upkeep();
    if (code !== CURLE.OK) throw new CurlEasyError(Easy.strError(code), code);
    return this;
  }

  /** curl_easy_pause with CurlPause bits. */
  pause(bitmask: number): this {
    const code = this.handle.pause(bitmask);
    if (code !== CURLE.OK) throw new CurlEasyError(Easy.strError(code), code);
    return this;
  }

  /** curl_easy_reset; the listeners go too, as in node-libcurl. */
  reset(): this {
    this.removeAllListeners();
    this.handle.reset();
    this.#installDefaults();
    return this;
  }

  /** A new Curl with this one's options, features and (unless false) 'end'/'error'/'data'/'header' listeners. */
  dupHandle(shouldCopyEventListeners = true): Curl {
    const copy = new Curl(this.handle.dupHandle());
    copy.features = this.features;
    if (shouldCopyEventListeners) {
      for (const event of ['end', 'error', 'data', 'header']) {
        for (const l of this.listeners(event)) copy.on(event, l as (...args: unknown[]) => void);
      }
    }
    return copy;
  }

  setMimePost(parts: CurlyMimePart[]): this {
    this.handle.setMimePost(parts);
    return this;
  }

  /** Stop and free the handle: a running request ends at once, without events, and its connection is closed. */
  close(): void {
    if (!this.handle.isOpen) return;
    this.removeAllListeners();
    const multi = this.multiInstance ?? sharedMulti;
    if (this.handle.isInsideMultiHandle && multi?.isOpen) {
      try { multi.removeHandle(this.handle); } catch { /* not in that Multi */ }
    }
    this.#response?.stream?.destroy();
    this.handle.close();
  }

  static getVersionInfo = (): ReturnType<typeof versionInfo> => versionInfo();
  static getVersionInfoString = (): string => {
    const info = versionInfo() as unknown as { protocols: string[]; featureNames: string[] };
    return [`Version: ${version()}`, `Protocols: ${info.protocols.join(', ')}`, `Features: ${info.featureNames.join(', ')}`].join('\n');
  };
  static isVersionGreaterOrEqualThan = (x: number, y: number, z = 0): boolean => Curl.VERSION_NUM >= (x << 16) + (y << 8) + z;
  /** @deprecated a no-op, as in node-libcurl */
  static globalInit = (): void => {};
  /** @deprecated a no-op, as in node-libcurl */
  static globalCleanup = (): void => {};
}

