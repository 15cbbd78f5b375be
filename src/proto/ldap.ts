// The LDAP and LDAPS protocol handlers (ldap://, ldaps://), after libcurl
// 7.88's openldap.c (the backend Debian's curl uses): a simple bind, then
// the search the URL describes, each entry written in libcurl's LDIF-like
// form (src/proto/ldap-output.ts).
//
// Theory of operation. setup() parses the URL (src/proto/ldap-url.ts), so a
// bad one fails before anything connects, as oldap_setup_connection does.
// On the connection (TLS from the start for ldaps: PROTOPT.SSL) the request
// binds: anonymously, or as CURLOPT_USERNAME with CURLOPT_PASSWORD (libcurl's
// connect phase, so a connection keeps its bind: a reused one is bound again
// only when the identity differs). Then it sends the SearchRequest (the
// filter string becomes BER in src/proto/ldap-filter.ts) and reads
// SearchResultEntry messages until SearchResultDone, whose result code is
// CURLINFO_RESPONSE_CODE. Messages are cut from the stream by a sans-I/O
// reader (src/proto/ldap-message.ts) with a size cap, so a server that
// floods one endless message fails the transfer instead of growing memory.
import { CURLE, easyStrerror, type CURLcode } from '../codes.js';
import { CURL_POLL, CURLINFO_TYPE, CURLPROTO } from '../constants.js';
import { traceData } from '../util/trace.js';
import { nowMs } from '../util/clock.js';
import { CLIENTWRITE, PAUSED } from '../cw/client-write.js';
import type { CallbackGuard } from '../util/callback-depth.js';
import type { Transfer } from '../multi/transfer.js';
import type { Connection } from '../conn/connection.js';
import type { StreamTransport } from '../transport/stream-transport.js';
import { PROTOPT, type ProtocolHandler, type ProtocolRequest, type SetupFailure } from './handler.js';
import { parseLdapUrl, type LdapUrl } from './ldap-url.js';
import { encodeFilter } from './ldap-filter.js';
import { OP, bindRequest, searchRequest, MessageReader, type LdapMessage } from './ldap-message.js';
import { bindFailureCode, formatEntry, ldapErrorText } from './ldap-output.js';
import { optionCredentials } from './redirect.js';

/** Reads one step() makes at most before the transfer yields. */
const STEP_READS = 64;
/** LDAP_SIZELIMIT_EXCEEDED: the entries so far are the answer */
const SIZELIMIT_EXCEEDED = 4;

/** What a connection keeps across requests (libcurl's ldapconninfo): its message ids and its bind. */
interface LdapConnState {
  nextId: number;
  /** the identity it is bound as ("\0"-joined user and password), null before a bind succeeded */
  boundAs: string | null;
}
const connStates = new WeakMap<Connection, LdapConnState>();

function urlOf(t: Transfer): ReturnType<typeof parseLdapUrl> {
  const u = t.url!;
  return parseLdapUrl(u.path, u.user !== undefined || u.password !== undefined || u.options !== undefined);
}

type Phase = 'bind' | 'search' | 'done';

export class LdapRequest implements ProtocolRequest {
  readonly #t: Transfer;
  readonly #guard: CallbackGuard;
  readonly #tr: StreamTransport;
  readonly #conn: LdapConnState;
  readonly #reader = new MessageReader();
  #url: LdapUrl | null = null;
  #phase: Phase = 'done';
  #msgId = 0;
  #identity = '';
  #entries = 0;
  #got = false;
  #reusable = false;
  /** the application paused the write callback: no more messages until resume() */
  #held = false;

  constructor(t: Transfer, conn: Connection, guard: CallbackGuard) {
    this.#t = t;
    this.#guard = guard;
    this.#tr = conn.transport!;
    let s = connStates.get(conn);
    if (!s) connStates.set(conn, (s = { nextId: 1, boundAs: null }));
    this.#conn = s;
  }

  #info(text: string): void {
    traceData(this.#guard, this.#t, CURLINFO_TYPE.TEXT, text + '\n');
  }

  #fail(code: CURLcode, text?: string): CURLcode {
    this.#phase = 'done';
    this.#reusable = false;
    const t = this.#t;
    if (t.result !== CURLE.OK) return code;
    if (text !== undefined) t.fail(code, text);
    else {
      // 7.88 fails these without a failf(): the text is libcurl's message, not shown with VERBOSE
      t.result = code;
      t.errorMessage = easyStrerror(code);
    }
    return code;
  }

  #send(message: Buffer): CURLcode {
    const r = this.#tr.send(message);
    if (!r.ok) return this.#fail(CURLE.SEND_ERROR, `Send failure: ${r.error.message}`);
    return CURLE.OK;
  }

  start(): CURLcode {
    const r = urlOf(this.#t);
    if (!r.ok) return this.#fail(r.code, r.message);
    this.#url = r.url;
    const given = optionCredentials(this.#t);
    const user = given.username;
    this.#identity = user === null ? '' : `${user}\0${given.password ?? ''}`;
    if (this.#conn.boundAs === this.#identity) return this.#search();
    // oldap_perform_bind: a simple bind, anonymous (empty DN and password) without a user
    this.#conn.boundAs = null;
    this.#msgId = this.#conn.nextId++;
    this.#phase = 'bind';
    const dn = Buffer.from(user ?? '', 'utf8');
    const pw = Buffer.from(user === null ? '' : given.password ?? '', 'utf8');
    return this.#send(bindRequest(this.#msgId, dn, pw));
  }

  /** oldap_do: the search the URL describes. */
  #search(): CURLcode {
    const t = this.#t;
    const u = this.#url!;
    this.#info(`LDAP local: ${t.url!.href}`);
    const filter = encodeFilter(u.filter);
    if (!filter) return this.#fail(CURLE.LDAP_SEARCH_FAILED, `LDAP local: ldap_search_ext ${ldapErrorText(-7)}`);
    this.#msgId = this.#conn.nextId++;
    this.#phase = 'search';
    return this.#send(searchRequest(this.#msgId, Buffer.from(u.dn, 'latin1'), u.scope, filter,
      u.attributes.map((a) => Buffer.from(a, 'latin1'))));
  }

  step(): CURLcode {
    for (let i = 0; i < STEP_READS && !this.#stopped(); i++) {
      const c = this.#handleMessages();
      if (c !== CURLE.OK || this.#stopped()) return c;
      const r = this.#tr.recv();
      if (r.kind === 'again') return CURLE.OK;
      if (r.kind === 'data') {
        if (!this.#got) this.#t.timing.starttransfer = nowMs();
        this.#got = true;
        this.#reader.feed(r.data);
        continue;
      }
      // the server went away (or the socket failed) before the answer was complete
      return this.#resultFailed(ldapErrorText(-1));
    }
    return CURLE.OK;
  }

  /**
   * ldap_result() failed (the connection ended, a message did not decode):
   * while binding it is oldap_connecting's CURLE_COULDNT_CONNECT, while
   * searching oldap_recv's CURLE_RECV_ERROR.
   */
  #resultFailed(why: string): CURLcode {
    if (this.#phase === 'bind') return this.#fail(CURLE.COULDNT_CONNECT, `LDAP local: connecting ldap_result ${why}`);
    return this.#fail(CURLE.RECV_ERROR, `LDAP local: search ldap_result ${why}`);
  }

  /** Every whole message received so far. */
  #handleMessages(): CURLcode {
    // bounded by the bytes buffered: every message consumes some
    while (!this.#stopped()) {
      const n = this.#reader.next();
      if (n.kind === 'need-more') return CURLE.OK;
      if (n.kind === 'error') return this.#resultFailed('Decoding error');
      const c = this.#message(n.message);
      if (c !== CURLE.OK) return c;
    }
    return CURLE.OK;
  }

  #message(m: LdapMessage): CURLcode {
    if (m.id === 0) {
      // a Notice of Disconnection: the server is closing the connection
      return this.#resultFailed(ldapErrorText(-1));
    }
    if (m.id !== this.#msgId) return CURLE.OK; // not an answer to what is outstanding
    if (this.#phase === 'bind') {
      if (m.op !== OP.BIND_RESPONSE || !('result' in m)) {
        return this.#fail(CURLE.LDAP_CANNOT_BIND, `LDAP local: bind ldap_result ${ldapErrorText(2)}`);
      }
      if (m.result.code !== 0) return this.#fail(bindFailureCode(m.result.code));
      this.#conn.boundAs = this.#identity;
      return this.#search();
    }
    if (m.op === OP.SEARCH_ENTRY && 'attributes' in m) {
      this.#entries++;
      const w = this.#t.writers.write(CLIENTWRITE.BODY, formatEntry(m.dn, m.attributes));
      if (w === PAUSED) this.#held = true;
      else if (w !== CURLE.OK) return this.#fail(w);
      return CURLE.OK;
    }
    if (m.op === OP.SEARCH_DONE && 'result' in m) return this.#done(m.result.code, m.result.diagnostic);
    return CURLE.OK; // search references: 7.88 skips them
  }

  /** SearchResultDone (oldap_recv's LDAP_RES_SEARCH_RESULT). */
  #done(code: number, diagnostic: Buffer): CURLcode {
    const t = this.#t;
    t.responseCode = code;
    if (code !== 0 && code !== SIZELIMIT_EXCEEDED) {
      return this.#fail(CURLE.LDAP_SEARCH_FAILED,
        `LDAP remote: search failed ${ldapErrorText(code)} ${diagnostic.toString('latin1')}`);
    }
    if (code === SIZELIMIT_EXCEEDED) this.#info(`There are more than ${this.#entries} entries`);
    // the tool's trace shows the read that found the end, as 7.88's transfer loop does
    traceData(this.#guard, t, CURLINFO_TYPE.DATA_IN, Buffer.alloc(0));
    this.#phase = 'done';
    // the connection stays bound and can carry the next search, when nothing else is in it
    this.#reusable = this.#reader.buffered === 0;
    return CURLE.OK;
  }

  /** done, or held by a paused write callback (a method: the calls above change both) */
  #stopped(): boolean {
    return this.#phase === 'done' || this.#held;
  }

  get done(): boolean {
    return this.#phase === 'done';
  }

  get reusable(): boolean {
    return this.#reusable;
  }

  pollWhat(): number {
    return this.#phase === 'done' || this.#held ? 0 : CURL_POLL.IN;
  }

  get wakeAt(): number | null {
    return null;
  }

  retainReceived(): void {
    // the reader copies what it keeps
  }

  resume(): CURLcode {
    // the held entry went out; what the reader still has is handled before reading more
    this.#held = false;
    return this.#handleMessages();
  }

  /** oldap_connecting: the bind */
  get loggingIn(): boolean {
    return this.#phase === 'bind';
  }

  get receivedAnything(): boolean {
    return this.#got;
  }
}

function setup(t: Transfer): SetupFailure | null {
  const r = urlOf(t);
  return r.ok ? null : { code: r.code, message: r.message };
}

const request = (t: Transfer, conn: Connection, guard: CallbackGuard): ProtocolRequest => new LdapRequest(t, conn, guard);

export const LDAP_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'ldap', defaultPort: 389, protocol: CURLPROTO.LDAP, flags: 0, alpn: [], setup, request,
});

export const LDAPS_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'ldaps', defaultPort: 636, protocol: CURLPROTO.LDAPS, flags: PROTOPT.SSL, alpn: [], setup, request,
});
