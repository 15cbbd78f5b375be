// The connection filter chain driven by scripted filters (no sockets): each
// fake filter answers connect() from a script and records what the chain
// asked of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CURLE } from '../../src/codes.js';
import { CURL_POLL } from '../../src/constants.js';
import { DONE, FilterChain, PENDING, PassThroughFilter, type ConnectionFilter, type FilterFacts, type FilterStep } from '../../src/cf/filter.js';
import type { PollEntry, Transport } from '../../src/transport/transport.js';

/** A transport stand-in: the chain only hands pollset entries on, it never touches them. */
const fakeTransport = (name: string): Transport => ({ name } as unknown as Transport);

class ScriptedFilter implements ConnectionFilter {
  readonly name: string;
  /** the answers to successive connect() calls; the last one repeats */
  readonly #script: FilterStep[];
  readonly #poll: PollEntry[];
  readonly #timeout: number | undefined;
  readonly #facts: Partial<FilterFacts>;
  readonly log: string[];
  connects = 0;
  aborted = false;

  constructor(name: string, log: string[], script: FilterStep[], opts: { poll?: PollEntry[]; timeout?: number; facts?: Partial<FilterFacts> } = {}) {
    this.name = name;
    this.log = log;
    this.#script = script;
    this.#poll = opts.poll ?? [];
    this.#timeout = opts.timeout;
    this.#facts = opts.facts ?? {};
  }

  connect(now: number): FilterStep {
    const step = this.#script[Math.min(this.connects, this.#script.length - 1)]!;
    this.connects++;
    this.log.push(`${this.name}@${now}:${step.kind}`);
    return step;
  }
  pollset(): PollEntry[] {
    return this.#poll;
  }
  nextTimeout(): number | undefined {
    return this.#timeout;
  }
  query<K extends keyof FilterFacts>(key: K): FilterFacts[K] | undefined {
    return this.#facts[key] as FilterFacts[K] | undefined;
  }
  abort(): void {
    this.aborted = true;
  }
}

test('filters connect bottom to top, the next one in the same call as soon as the one below is done', () => {
  const log: string[] = [];
  const chain = new FilterChain([
    new ScriptedFilter('SOCKS', log, [DONE]),
    new ScriptedFilter('TLS-PROXY', log, [DONE]),
    new ScriptedFilter('TLS', log, [DONE]),
  ]);
  assert.equal(chain.connected, false);
  assert.equal(chain.connect(7), DONE);
  assert.deepEqual(log, ['SOCKS@7:done', 'TLS-PROXY@7:done', 'TLS@7:done']);
  assert.equal(chain.connected, true);
  // a connected chain does nothing more
  assert.equal(chain.connect(8), DONE);
  assert.equal(log.length, 3);
});

test('a pending filter stops the chain; the next call goes on with that filter, not the ones below', () => {
  const log: string[] = [];
  const below = new ScriptedFilter('H1-PROXY', log, [DONE]);
  const tls = new ScriptedFilter('TLS', log, [PENDING, PENDING, DONE]);
  const chain = new FilterChain([below, tls]);
  assert.equal(chain.connect(1).kind, 'pending');
  assert.equal(chain.connect(2).kind, 'pending');
  assert.equal(chain.connect(3).kind, 'done');
  assert.deepEqual(log, ['H1-PROXY@1:done', 'TLS@1:pending', 'TLS@2:pending', 'TLS@3:done']);
  assert.equal(below.connects, 1);
});

test('while connecting, the pollset and timeout are those of the filter that is connecting; none once connected', () => {
  const log: string[] = [];
  const a = fakeTransport('a');
  const socks = new ScriptedFilter('SOCKS', log, [PENDING, DONE], { poll: [{ transport: a, what: CURL_POLL.IN }], timeout: 100 });
  const tls = new ScriptedFilter('TLS', log, [PENDING, DONE], { poll: [{ transport: a, what: CURL_POLL.OUT }], timeout: 200 });
  const chain = new FilterChain([socks, tls]);
  chain.connect(0);
  assert.deepEqual(chain.pollset(), [{ transport: a, what: CURL_POLL.IN }]);
  assert.equal(chain.nextTimeout(), 100);
  chain.connect(1); // SOCKS done, TLS pending
  assert.deepEqual(chain.pollset(), [{ transport: a, what: CURL_POLL.OUT }]);
  assert.equal(chain.nextTimeout(), 200);
  chain.connect(2);
  assert.equal(chain.connected, true);
  assert.deepEqual(chain.pollset(), []);
  assert.equal(chain.nextTimeout(), undefined);
});

test('a failure is the chain\'s answer and the filters above never run', () => {
  const log: string[] = [];
  const failed: FilterStep = { kind: 'failed', code: CURLE.COULDNT_CONNECT, message: 'Can\'t complete SOCKS5 connection' };
  const above = new ScriptedFilter('TLS', log, [DONE]);
  const chain = new FilterChain([new ScriptedFilter('SOCKS', log, [failed]), above]);
  assert.deepEqual(chain.connect(5), failed);
  assert.equal(above.connects, 0);
  assert.equal(chain.connected, false);
});

test('a reconnect request (a proxy that closed after a 407) is handed up as it is', () => {
  const log: string[] = [];
  const chain = new FilterChain([new ScriptedFilter('TLS-PROXY', log, [DONE]), new ScriptedFilter('H1-PROXY', log, [PENDING, { kind: 'reconnect' }])]);
  assert.equal(chain.connect(0).kind, 'pending');
  assert.equal(chain.connect(1).kind, 'reconnect');
  assert.deepEqual(log, ['TLS-PROXY@0:done', 'H1-PROXY@0:pending', 'H1-PROXY@1:reconnect']);
});

test('abort reaches only the filters not connected yet', () => {
  const log: string[] = [];
  const socks = new ScriptedFilter('SOCKS', log, [DONE]);
  const tls = new ScriptedFilter('TLS', log, [PENDING]);
  const haproxy = new ScriptedFilter('HAPROXY', log, [DONE]);
  const chain = new FilterChain([socks, tls, haproxy]);
  chain.connect(0);
  chain.abort();
  assert.deepEqual([socks.aborted, tls.aborted, haproxy.aborted], [false, true, true]);
});

test('queries are answered top-down: the filter nearest the protocol first; queryFilter asks one by name', () => {
  const log: string[] = [];
  const proxyTls = new ScriptedFilter('TLS-PROXY', log, [DONE], { facts: { alpn: 'proxy-alpn' } });
  const tunnel = new ScriptedFilter('H1-PROXY', log, [DONE]);
  const originTls = new ScriptedFilter('TLS', log, [DONE], { facts: { alpn: 'http/1.1' } });
  const chain = new FilterChain([proxyTls, tunnel, originTls]);
  chain.connect(0);
  assert.equal(chain.query('alpn'), 'http/1.1');
  assert.equal(chain.queryFilter('TLS-PROXY', 'alpn'), 'proxy-alpn');
  assert.equal(chain.queryFilter('H1-PROXY', 'alpn'), undefined);
  assert.equal(chain.queryFilter('SOCKS', 'alpn'), undefined);
  // without the origin's TLS, the next one down answers
  const plain = new FilterChain([proxyTls, tunnel]);
  plain.connect(0);
  assert.equal(plain.query('alpn'), 'proxy-alpn');
  assert.equal(plain.query('tls'), undefined);
});

test('an empty chain (a plain connection) is connected from the start; a pass-through filter is done at once', () => {
  const empty = new FilterChain([]);
  assert.equal(empty.connected, true);
  assert.equal(empty.connect(0), DONE);
  assert.deepEqual(empty.pollset(), []);
  class Haproxy extends PassThroughFilter {
    readonly name = 'HAPROXY';
  }
  const chain = new FilterChain([new Haproxy()]);
  assert.equal(chain.connect(0), DONE);
  assert.equal(chain.query('alpn'), undefined);
});
