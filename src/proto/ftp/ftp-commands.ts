// The commands of one FTP transfer after the login (libcurl's ftp_do and its
// states in ftp_statemachine), the base of FtpRequest (ftp-request.ts):
//
//   QUOTE* -> CWD (per FTP_FILEMETHOD; MKD + CWD with FTP_CREATE_MISSING_DIRS)
//   -> MDTM (FILETIME, TIMECONDITION) -> [NOBODY: TYPE, SIZE, REST 0: the
//   file's facts as header lines] -> PRET -> EPSV (PASV after it fails) or
//   EPRT (PORT after it fails) -> data connection -> TYPE -> PREQUOTE* ->
//   SIZE -> REST -> RETR | LIST/NLST | (SIZE) STOR/APPE -> 150
//
// Each reply moves the machine one step (dispatch()); what happens once the
// data flows (the pump, the 226, POSTQUOTE, the end) is FtpRequest's.
import { CURLE, type CURLcode } from '../../codes.js';
import { CURLOPT } from '../../easy/option-table.js';
import { HTTPREQ } from '../../easy/option-store.js';
import type { Connection } from '../../conn/connection.js';
import type { Transfer } from '../../multi/transfer.js';
import { nowMs } from '../../util/clock.js';
import type { ProtocolEnv } from '../handler.js';
import { resumeOffset } from '../http-response.js';
import { FtpControl, pad3 } from './ftp-control.js';
import { FTPMETHOD, parseFtpPath, type FtpPath } from './ftp-url.js';
import { parseMdtm, parseRetrSize, parseSize } from './ftp-replies.js';
import { DataConnection } from './ftp-data.js';
import { startActive, startPassive, activeReply, pasvReply, type DataSetupHost } from './ftp-setup-data.js';
import { fileInfoHeaders, timeConditionMet } from './ftp-info.js';
import { ftpRange } from './ftp-range.js';

/** libcurl's ftp->transfer: the body, only the file's facts (NOBODY), or nothing at all. */
export type Kind = 'body' | 'info' | 'none';

/** What to do once a run of QUOTE-type commands is through. */
type Next = () => CURLcode;

export abstract class FtpCommands extends FtpControl implements DataSetupHost {
  /** what the URL names (a wildcard transfer points it at the directory, then at each file) */
  path_: FtpPath;
  kind_: Kind;
  readonly upload_: boolean;
  readonly listOnly: boolean;
  readonly ascii_: boolean;
  resumeFrom: number;
  /** bytes to download at most (RANGE), -1: all */
  maxDownload = -1;
  /** a range download: the final reply is not checked */
  dontCheck = false;
  /** the size a wildcard's LIST gave for the file (libcurl's known_filesize): no SIZE then; -1 unknown */
  knownSize = -1;
  /** the size the server reported (SIZE, 150's "(N bytes)"), -1 unknown */
  fileSize = -1;
  cwdCount = 0;
  mkdTried = false;
  mkdRetries = 0;
  cwdDone = false;
  cwdFailed = false;
  quote_: string[] = [];
  quoteAt = 0;
  quoteIgnore = false;
  /** the list running is POSTQUOTE (its failure message differs) */
  quotePost = false;
  /** the quote command sent last, without its "*" */
  quoteLine = '';
  quoteNext: Next | null = null;
  data: DataConnection | null = null;
  /** the data connection is being set up (after PASV/EPSV or PORT): the next command waits for its TCP connect */
  dataConnecting = false;
  uploadSkip = 0;
  postRan = false;
  pathError: { code: CURLcode; message: string } | null = null;

  constructor(t: Transfer, conn: Connection, env: ProtocolEnv) {
    super(t, conn, env);
    const o = t.opts;
    const parsed = parseFtpPath(t.url!.path, o.num(CURLOPT.FTP_FILEMETHOD) || FTPMETHOD.MULTICWD);
    this.path_ = parsed.ok ? parsed.path : { dirs: [], file: '', raw: '', type: null };
    // a bad path fails after the login, as libcurl parses it in ftp_do
    if (!parsed.ok) this.pathError = parsed;
    this.upload_ = o.method === HTTPREQ.PUT;
    this.listOnly = o.num(CURLOPT.DIRLISTONLY) !== 0 || this.path_.type === 'D';
    this.ascii_ = this.path_.type === 'A' || (this.path_.type === null && o.num(CURLOPT.TRANSFERTEXT) !== 0);
    this.kind_ = o.num(CURLOPT.NOBODY) !== 0 ? 'info' : 'body';
    this.resumeFrom = resumeOffset(t);
  }

  /** The 150 came: the data flows (FtpRequest). */
  protected abstract startData(dir: 'download' | 'upload'): CURLcode;
  /** The reply after the data (FtpRequest). */
  protected abstract finalReply(code: number): CURLcode;
  /** Everything is through: POSTQUOTE, then the end (FtpRequest). */
  protected abstract finish(): CURLcode;

  // ---- replies ----------------------------------------------------------------

  protected dispatch(code: number, text: string, _lines: Buffer[]): CURLcode {
    const login = this.loginReply(code, text);
    if (login !== undefined) return login;
    const state = this.state;
    switch (state) {
      case 'quote':
        return this.quoteReply(code);
      case 'cwd':
        return this.cwdReply(code);
      case 'mkd':
        if (Math.floor(code / 100) !== 2 && this.mkdRetries-- <= 0) {
          return this.fail(CURLE.REMOTE_ACCESS_DENIED, `Failed to MKD dir: ${pad3(code)}`);
        }
        return this.cmd(`CWD ${this.path_.dirs[this.cwdCount - 1]}`, 'cwd');
      case 'mdtm':
        return this.mdtmReply(code, text);
      case 'type':
      case 'list-type':
      case 'retr-type':
      case 'stor-type':
        if (Math.floor(code / 100) !== 2) return this.fail(CURLE.FTP_COULDNT_SET_TYPE, `Couldn't set desired mode`);
        return this.typeDone(state);
      case 'size':
      case 'retr-size':
      case 'stor-size':
        return this.sizeReply(state, code, text);
      case 'rest':
        if (code === 350) {
          const c = fileInfoHeaders(this.t, ['Accept-ranges: bytes']);
          if (c !== CURLE.OK) return c;
        }
        return this.prepareTransfer();
      case 'retr-rest':
        if (code !== 350) return this.fail(CURLE.FTP_COULDNT_USE_REST, `Couldn't use REST`);
        return this.cmd(`RETR ${this.path_.file}`, 'retr');
      case 'pret':
        if (code !== 200) return this.fail(CURLE.FTP_PRET_FAILED, `PRET command not accepted: ${pad3(code)}`);
        return startPassive(this);
      case 'epsv':
      case 'pasv':
        return this.pasvReply(state, code, text);
      case 'eprt':
      case 'port':
        return activeReply(this, state, code);
      case 'retr':
      case 'list':
        return this.getReply(state, code, text);
      case 'stor':
        if (Math.floor(code / 100) !== 1) {
          this.state = '';
          return this.fail(CURLE.UPLOAD_FAILED, `Failed FTP upload: ${code}`);
        }
        return this.startData('upload');
      case 'final':
        return this.finalReply(code);
      default:
        // a reply nobody asked for (a server talking out of turn)
        return this.fail(CURLE.WEIRD_SERVER_REPLY, `Got an unexpected ${pad3(code)} reply from the FTP server`);
    }
  }

  // ---- the transfer's commands ------------------------------------------------

  protected afterLogin(): CURLcode {
    if (this.pathError) return this.fail(this.pathError.code, this.pathError.message);
    this.t.timing.pretransfer = nowMs();
    // ftp_parse_url_path's verdict on the directory comes before any QUOTE
    this.samePath_();
    this.performNote = 'owed';
    const c = this.runQuote(CURLOPT.QUOTE, () => this.cwd_());
    // an active data connection's EPRT/PORT goes once its socket is bound: the note waits for it
    if (c === CURLE.OK && this.state !== 'binding') this.notePerformEnd();
    return c;
  }

  /** ftp_perform's note: 'owed' from the DO phase's start until said (once). */
  performNote: 'none' | 'owed' | 'said' = 'none';

  /**
   * ftp_perform ends once the DO phase's first command went (or nothing was
   * to be sent): whether the data connection is up then, which only an
   * active one's listening socket is (libcurl counts it connected).
   */
  notePerformEnd(): void {
    if (this.performNote !== 'owed') return;
    this.performNote = 'said';
    this.info(`ftp_perform ends with SECONDARY: ${this.data?.isListening ? 1 : 0}`);
  }

  /** Send the commands of a QUOTE-type list one by one; a leading '*' lets a command fail. */
  runQuote(opt: number, next: Next): CURLcode {
    const list = (this.t.opts.get(opt) as string[] | null) ?? [];
    this.quote_ = list;
    this.quotePost = opt === CURLOPT.POSTQUOTE;
    this.quoteAt = 0;
    this.quoteNext = next;
    return this.nextQuote();
  }

  nextQuote(): CURLcode {
    // bounded by the list
    while (this.quoteAt < this.quote_.length) {
      let line = this.quote_[this.quoteAt++]!;
      this.quoteIgnore = line.startsWith('*');
      if (this.quoteIgnore) line = line.slice(1);
      if (line.length === 0) continue;
      this.quoteLine = line;
      return this.cmd(line, 'quote');
    }
    const next = this.quoteNext!;
    this.quoteNext = null;
    return next();
  }

  quoteReply(code: number): CURLcode {
    if (code >= 400 && !this.quoteIgnore) {
      // curl 7.88's two messages: ftp_done's ftp_sendquote names the POSTQUOTE command, the state machine the code
      const why = this.quotePost ? `QUOT string not accepted: ${this.quoteLine}` : `QUOT command failed with ${String(code).padStart(3, '0')}`;
      return this.fail(CURLE.QUOTE_ERROR, why);
    }
    return this.nextQuote();
  }

  /** ftp_state_cwd: back to the entry path on a reused connection, then one CWD per directory. */
  cwd_(): CURLcode {
    const p = this.path_;
    if (this.cwdDone) return this.mdtm();
    const absolute = p.dirs.length > 0 && p.dirs[0]!.startsWith('/');
    if (this.conn.uses > 1 && this.fc.entryPath !== null && !absolute) {
      this.cwdCount = 0;
      return this.cmd(`CWD ${this.fc.entryPath}`, 'cwd');
    }
    if (p.dirs.length === 0) return this.mdtm();
    this.cwdCount = 1;
    return this.cmd(`CWD ${p.dirs[0]}`, 'cwd');
  }

  /** ftp_parse_url_path: no CWD when the connection is in the URL's directory already. */
  samePath_(): void {
    const p = this.path_;
    const method = this.t.opts.num(CURLOPT.FTP_FILEMETHOD) || FTPMETHOD.MULTICWD;
    if (method === FTPMETHOD.NOCWD && p.raw.startsWith('/')) this.cwdDone = true;
    else {
      const n = method === FTPMETHOD.NOCWD ? 0 : p.raw.length - p.file.length;
      const old = this.conn.uses > 1 ? this.fc.prevPath : '';
      if (old !== null && old.length === n && p.raw.slice(0, n) === old) {
        this.info('Request has same path as previous transfer');
        this.cwdDone = true;
      }
    }
  }

  cwdReply(code: number): CURLcode {
    const dirs = this.path_.dirs;
    if (Math.floor(code / 100) !== 2) {
      const create = this.t.opts.num(CURLOPT.FTP_CREATE_MISSING_DIRS);
      if (create !== 0 && this.cwdCount > 0 && !this.mkdTried) {
        this.mkdTried = true;
        // with CURLFTP_CREATE_DIR_RETRY a MKD may fail once (another client made it first)
        this.mkdRetries = create === 2 ? 1 : 0;
        return this.cmd(`MKD ${dirs[this.cwdCount - 1]}`, 'mkd');
      }
      this.cwdFailed = true;
      return this.fail(CURLE.REMOTE_ACCESS_DENIED, 'Server denied you to change to the given directory');
    }
    this.mkdTried = false;
    if (++this.cwdCount <= dirs.length) return this.cmd(`CWD ${dirs[this.cwdCount - 1]}`, 'cwd');
    return this.mdtm();
  }

  /** ftp_state_mdtm: the file's time when FILETIME or TIMECONDITION wants it. */
  mdtm(): CURLcode {
    const o = this.t.opts;
    if ((o.num(CURLOPT.FILETIME) !== 0 || o.num(CURLOPT.TIMECONDITION) !== 0) && this.path_.file) {
      return this.cmd(`MDTM ${this.path_.file}`, 'mdtm');
    }
    return this.typeForInfo();
  }

  mdtmReply(code: number, text: string): CURLcode {
    const t = this.t;
    if (code === 213) {
      const secs = parseMdtm(text);
      if (secs !== null) {
        t.filetime = secs;
        if (this.kind_ === 'info' && t.opts.num(CURLOPT.FILETIME) !== 0) {
          const c = fileInfoHeaders(t, [`Last-Modified: ${lastModified(secs)}`]);
          if (c !== CURLE.OK) return c;
        }
      }
    } else if (code === 550) this.info('MDTM failed: file does not exist or permission problem, continuing');
    else this.info('unsupported MDTM reply format');
    if (t.opts.num(CURLOPT.TIMECONDITION) !== 0 && this.kind_ === 'body' && !this.upload_) {
      const met = timeConditionMet(t, (line) => this.info(line));
      if (!met) {
        this.kind_ = 'none';
        return this.finish();
      }
    }
    return this.typeForInfo();
  }

  /** ftp_state_type: NOBODY on a file sets the TYPE before SIZE (sizes differ per mode). */
  typeForInfo(): CURLcode {
    if (this.kind_ === 'info' && this.path_.file) return this.type_(this.ascii_, 'type');
    return this.sizeForInfo();
  }

  type_(ascii: boolean, state: string): CURLcode {
    const want = ascii ? 'A' : 'I';
    if (this.fc.transferType === want) return this.typeDone(state);
    this.fc.transferType = want;
    return this.cmd(`TYPE ${want}`, state);
  }

  typeDone(state: string): CURLcode {
    switch (state) {
      case 'type':
        return this.sizeForInfo();
      case 'list-type':
        // '+' commands go before a LIST too, as curl 8 does (7.88 dropped them for listings, against its manual)
        return this.runQuote(CURLOPT.PREQUOTE, () => this.list_());
      case 'retr-type':
        return this.runQuote(CURLOPT.PREQUOTE, () => this.retrPrequoteDone());
      default:
        return this.runQuote(CURLOPT.PREQUOTE, () => this.uploadSetup(false));
    }
  }

  sizeForInfo(): CURLcode {
    if (this.kind_ === 'info' && this.path_.file) return this.cmd(`SIZE ${this.path_.file}`, 'size');
    return this.restForInfo();
  }

  restForInfo(): CURLcode {
    // a "head" on a file: whether the server can resume tells Accept-ranges
    if (this.kind_ !== 'body' && this.path_.file) return this.cmd('REST 0', 'rest');
    return this.prepareTransfer();
  }

  sizeReply(state: string, code: number, text: string): CURLcode {
    const size = code === 213 ? parseSize(text) ?? -1 : -1;
    // "No such file or directory": no RETR follows (a SIZE before a resumed upload may fail)
    if (code === 550 && state !== 'stor-size') return this.fail(CURLE.REMOTE_FILE_NOT_FOUND, 'The file does not exist');
    if (state === 'size') {
      if (size >= 0) {
        const c = fileInfoHeaders(this.t, [`Content-Length: ${size}`]);
        if (c !== CURLE.OK) return c;
        this.t.contentLength = size;
      }
      return this.restForInfo();
    }
    if (state === 'retr-size') {
      if (size >= 0) this.t.contentLength = size;
      return this.retr_(size);
    }
    this.resumeFrom = size;
    return this.uploadSetup(true);
  }

  /** ftp_state_prepare_transfer: nothing to move (NOBODY): PREQUOTE, then done; else the data connection. */
  prepareTransfer(): CURLcode {
    if (this.kind_ !== 'body') return this.runQuote(CURLOPT.PREQUOTE, () => this.finish());
    if (this.t.opts.str(CURLOPT.FTPPORT) !== null) return startActive(this);
    if (this.t.opts.num(CURLOPT.FTP_USE_PRET) !== 0) {
      const what = this.upload_ ? `STOR ${this.path_.file}` : this.isList() ? this.listCommand() : `RETR ${this.path_.file}`;
      return this.cmd(`PRET ${what}`, 'pret');
    }
    return startPassive(this);
  }

  isList(): boolean {
    return !this.upload_ && (this.listOnly || !this.path_.file);
  }

  /** a RANGE whose numbers do not fit a curl_off_t (applyRange) */
  rangeTooBig: string | null = null;

  /** ftp_do_more: the data connection is there (or listening): TYPE for the transfer. */
  dataReady(): CURLcode {
    if (this.upload_) return this.type_(this.ascii_, 'stor-type');
    if (this.isList()) return this.type_(true, 'list-type');
    // curl 7.88 loses this error (ftp_do_more overwrites it) and ends with 0 having downloaded nothing:
    // said here, with libcurl's code
    if (this.rangeTooBig !== null) return this.fail(CURLE.RANGE_ERROR, `Range '${this.rangeTooBig}' is beyond the largest file offset`);
    return this.type_(this.ascii_, 'retr-type');
  }

  listCommand(): string {
    const custom = this.t.opts.str(CURLOPT.CUSTOMREQUEST);
    let arg = '';
    if ((this.t.opts.num(CURLOPT.FTP_FILEMETHOD) || FTPMETHOD.MULTICWD) === FTPMETHOD.NOCWD) {
      const raw = this.path_.raw;
      const slash = raw.lastIndexOf('/');
      if (slash >= 0) arg = ' ' + raw.slice(0, Math.max(1, slash));
    }
    return (custom ?? (this.listOnly ? 'NLST' : 'LIST')) + arg;
  }

  list_(): CURLcode {
    return this.cmd(this.listCommand(), 'list');
  }

  retrPrequoteDone(): CURLcode {
    if (this.knownSize >= 0) {
      this.t.contentLength = this.knownSize;
      return this.retr_(this.knownSize);
    }
    if (this.ascii_ || this.t.opts.num(CURLOPT.IGNORE_CONTENT_LENGTH) !== 0) return this.cmd(`RETR ${this.path_.file}`, 'retr');
    return this.cmd(`SIZE ${this.path_.file}`, 'retr-size');
  }

  /** ftp_state_retr: check a resume against the size, REST, RETR. */
  retr_(size: number): CURLcode {
    const t = this.t;
    const max = t.opts.num(CURLOPT.MAXFILESIZE_LARGE) || t.opts.num(CURLOPT.MAXFILESIZE);
    if (max > 0 && size > max) return this.fail(CURLE.FILESIZE_EXCEEDED, 'Maximum file size exceeded');
    this.fileSize = size;
    if (this.resumeFrom !== 0) {
      if (size >= 0) {
        let left: number;
        if (this.resumeFrom < 0) {
          if (size < -this.resumeFrom) {
            return this.fail(CURLE.BAD_DOWNLOAD_RESUME, `Offset (${this.resumeFrom}) was beyond file size (${size})`);
          }
          left = -this.resumeFrom;
          this.resumeFrom = size - left;
        } else {
          if (size < this.resumeFrom) {
            return this.fail(CURLE.BAD_DOWNLOAD_RESUME, `Offset (${this.resumeFrom}) was beyond file size (${size})`);
          }
          left = size - this.resumeFrom;
        }
        this.fileSize = left;
        t.contentLength = left;
        if (left === 0) {
          this.info('File already completely downloaded');
          this.kind_ = 'none';
          return this.finish();
        }
      }
      this.info(`Instructs server to resume from offset ${this.resumeFrom}`);
      return this.cmd(`REST ${this.resumeFrom}`, 'retr-rest');
    }
    return this.cmd(`RETR ${this.path_.file}`, 'retr');
  }

  /** The 150/125 to RETR or LIST: the data flows. */
  getReply(state: string, code: number, text: string): CURLcode {
    if (code === 150 || code === 125) {
      if (state === 'retr' && !this.ascii_ && this.t.opts.num(CURLOPT.IGNORE_CONTENT_LENGTH) === 0 && this.fileSize < 1) {
        const n = parseRetrSize(text);
        if (n !== null) {
          this.fileSize = n;
          this.t.contentLength = n;
        }
      }
      // ftp_state_get_resp's two lines: the size shown is the range's when smaller, unknown (-1) in ASCII
      let shown = this.fileSize;
      if (this.maxDownload > 0 && shown > this.maxDownload) shown = this.maxDownload;
      else if (state !== 'list' && this.ascii_) shown = -1;
      this.info(`Maxdownload = ${this.maxDownload}`);
      if (state !== 'list') this.info(`Getting file with size: ${shown}`);
      // libcurl reads no more than the size it expects (k->size): a range past the end stops at the file's end
      if (state === 'retr' && this.dontCheck && this.fileSize > 0 && this.fileSize < this.maxDownload && !this.ascii_) this.maxDownload = this.fileSize;
      return this.startData('download');
    }
    this.state = '';
    if (state === 'list' && code === 450) {
      // no files match the listing: nothing to download, not an error
      this.kind_ = 'none';
      this.data?.close();
      this.data = null;
      return this.finish();
    }
    return this.fail(state === 'retr' && code === 550 ? CURLE.REMOTE_FILE_NOT_FOUND : CURLE.FTP_COULDNT_RETR_FILE, `RETR response: ${pad3(code)}`);
  }

  /** ftp_state_ul_setup: resume (SIZE when the offset is to be found), skip the input, STOR or APPE. */
  uploadSetup(sizeChecked: boolean): CURLcode {
    const t = this.t;
    let append = t.opts.num(CURLOPT.APPEND) !== 0;
    let skip = 0;
    if ((this.resumeFrom !== 0 && !sizeChecked) || (this.resumeFrom > 0 && sizeChecked)) {
      if (this.resumeFrom < 0) return this.cmd(`SIZE ${this.path_.file}`, 'stor-size');
      append = true;
      skip = this.resumeFrom;
      const infile = t.opts.num(CURLOPT.INFILESIZE_LARGE);
      if (infile > 0 && infile - skip <= 0) {
        this.info('File already completely uploaded');
        this.kind_ = 'none';
        return this.finish();
      }
    }
    this.uploadSkip = skip;
    return this.cmd(`${append ? 'APPE' : 'STOR'} ${this.path_.file}`, 'stor');
  }
  /**
   * ftp_done: the directory this transfer left the connection in, for the
   * next one, said in the trace as curl 7.88 says it. Once per transfer, at
   * the point libcurl's ftp_done runs (the data done, before the final
   * reply; or the transfer ended without data). A failure that wedges the
   * control connection (not one of keepsControl's), one while the data
   * flowed (libcurl's premature done) or a failed CWD leaves no directory
   * to remember.
   */
  rememberPath(failed: CURLcode = CURLE.OK, premature = false): void {
    if (this.#remembered) return;
    this.#remembered = true;
    // a DO phase that ended before its first reply (nothing to send) said ftp_perform's note first
    if (failed === CURLE.OK) this.notePerformEnd();
    if (this.cwdFailed || premature || (failed !== CURLE.OK && !keepsControl(failed))) {
      this.fc.prevPath = null;
      return;
    }
    const p = this.path_;
    const method = this.t.opts.num(CURLOPT.FTP_FILEMETHOD) || FTPMETHOD.MULTICWD;
    if (method === FTPMETHOD.NOCWD && p.raw.startsWith('/')) {
      // a full path needed no CWD: the connection stays where it was (nowhere known on its first use)
      if (this.conn.uses <= 1) this.fc.prevPath = null;
    } else this.fc.prevPath = method === FTPMETHOD.NOCWD ? '' : p.raw.slice(0, p.raw.length - p.file.length);
    if (this.fc.prevPath !== null) this.info(`Remembering we are in dir "${this.fc.prevPath}"`);
  }

  #remembered = false;

  /** CURLOPT_RANGE: a resume offset and a byte limit (ftpRange()). */
  applyRange(range: string): void {
    const r = ftpRange(range);
    if (r === null) return;
    // ftp_range: a number past curl_off_t is CURLE_RANGE_ERROR, once the data connection is set up
    if (r === 'too big') {
      this.rangeTooBig = range;
      return;
    }
    if (r.resumeFrom !== null) this.resumeFrom = r.resumeFrom;
    this.maxDownload = r.maxDownload;
    if (this.maxDownload >= 0) this.dontCheck = true;
  }

  // ---- DataSetupHost (ftp-setup-data.ts) ----------------------------------

  get transfer(): Transfer {
    return this.t;
  }
  get connection(): Connection {
    return this.conn;
  }
  get protocolEnv(): ProtocolEnv {
    return this.env;
  }
  get ftpConn() {
    return this.fc;
  }
  send(text: string, state: string): CURLcode {
    return this.cmd(text, state);
  }
  setState(state: string): void {
    this.state = state;
  }
  failWith(code: CURLcode, message: string): CURLcode {
    return this.fail(code, message);
  }
  trace(text: string): void {
    this.info(text);
  }
  dataTlsParams() {
    // a data connection's TLS ends with the connection: no bridge for CCC under it
    return this.fc.dataTls ? { ...this.controlTlsParams(), clearable: false } : null;
  }
  /** A data connection is being made: TYPE and the rest wait for its TCP connect. */
  setData(d: DataConnection, connecting: boolean): void {
    this.data = d;
    this.dataConnecting = connecting;
  }

  pasvReply(state: string, code: number, text: string): CURLcode {
    return pasvReply(this, state, code, text);
  }
}

/** Failures after which libcurl keeps the control connection (ftp_done's list). */
export function keepsControl(c: CURLcode): boolean {
  switch (c) {
    case CURLE.BAD_DOWNLOAD_RESUME: case CURLE.FTP_WEIRD_PASV_REPLY: case CURLE.FTP_PORT_FAILED:
    case CURLE.FTP_ACCEPT_FAILED: case CURLE.FTP_ACCEPT_TIMEOUT: case CURLE.FTP_COULDNT_SET_TYPE:
    case CURLE.FTP_COULDNT_RETR_FILE: case CURLE.PARTIAL_FILE: case CURLE.UPLOAD_FAILED:
    case CURLE.REMOTE_ACCESS_DENIED: case CURLE.FILESIZE_EXCEEDED: case CURLE.REMOTE_FILE_NOT_FOUND:
    case CURLE.WRITE_ERROR:
      return true;
    default:
      return false;
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** libcurl's "Last-Modified: %s, %02d %s %4d %02d:%02d:%02d GMT". */
function lastModified(secs: number): string {
  const d = new Date(secs * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} GMT`;
}
