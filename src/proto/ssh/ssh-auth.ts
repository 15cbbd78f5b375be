// Which SSH authentication methods a transfer tries, in libcurl 7.88's order
// (lib/vssh/libssh2.c, SSH_AUTHLIST .. SSH_AUTH_DONE): ask the server for
// its list (a "none" request), then public key, password, the SSH agent
// and keyboard-interactive, each when CURLOPT_SSH_AUTH_TYPES allows it and
// the server offers it (the agent's keys are public keys: it goes when the
// server offers "publickey"). Host-based authentication is not tried (nor
// is it by libcurl's libssh2 backend).
// The private key is SSH_PRIVATE_KEYFILE, else ~/.ssh/id_rsa, ~/.ssh/id_dsa,
// ./id_rsa, ./id_dsa, the first readable one; KEYPASSWD unlocks it. A key
// that cannot be used is a failed method, not a failed transfer: the next
// method gets its turn, and "Authentication failure" (CURLE_LOGIN_DENIED)
// comes when none is left. The agent is the one SSH_AUTH_SOCK names, as
// libssh2's; each of its keys is offered in turn.
import { accessSync, constants as FS, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CURLSSH_AUTH } from '../../easy/ssh-callbacks.js';
import { ssh2, type AuthAttempt, type ParsedKey, type SshAgent } from './ssh2-lib.js';

export interface AuthSettings {
  user: string;
  password: string;
  /** CURLOPT_SSH_AUTH_TYPES */
  types: number;
  privateKeyFile: string | null;
  publicKeyFile: string | null;
  passphrase: string;
  home: string | null;
  /** the ssh-agent's socket (SSH_AUTH_SOCK), or null */
  agentSocket: string | null;
}

type Method = 'publickey' | 'password' | 'agent' | 'keyboard-interactive';

/** Each method, its CURLSSH_AUTH bit and the server's name for it, in libcurl's order. */
const METHODS: ReadonlyArray<readonly [Method, number, string]> = [
  ['publickey', CURLSSH_AUTH.PUBLICKEY, 'publickey'],
  ['password', CURLSSH_AUTH.PASSWORD, 'password'],
  ['agent', CURLSSH_AUTH.AGENT, 'publickey'],
  ['keyboard-interactive', CURLSSH_AUTH.KEYBOARD, 'keyboard-interactive'],
];

function readable(file: string): boolean {
  try {
    accessSync(file, FS.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** libcurl's guess when SSH_PRIVATE_KEYFILE is not set. */
function defaultKeyFile(home: string | null): string {
  const tries = home ? [join(home, '.ssh', 'id_rsa'), join(home, '.ssh', 'id_dsa')] : [];
  tries.push('id_rsa', 'id_dsa');
  return tries.find(readable) ?? '';
}

/** The private key, parsed, or the reason it cannot be used (libssh2's words). */
function loadKey(s: AuthSettings, priv: string): ParsedKey | string {
  let data: Buffer;
  try {
    data = readFileSync(priv);
  } catch {
    // libssh2 reads a given public key file first and asks the server about
    // it; the private key is opened only to sign, in a callback that fails
    return s.publicKeyFile ? 'Callback returned error' : 'Unable to extract public key from private key file: Unable to open private key file';
  }
  const parsed = ssh2().utils.parseKey(data, s.passphrase || undefined);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error || !key.isPrivateKey()) {
    return 'Unable to extract public key from private key file: Wrong passphrase or invalid/unrecognized private key file format';
  }
  if (s.publicKeyFile) {
    let pub: string;
    try {
      pub = readFileSync(s.publicKeyFile, 'latin1');
    } catch {
      return 'Unable to open public key file';
    }
    const blob = Buffer.from(pub.trim().split(/\s+/)[1] ?? '', 'base64');
    if (!blob.equals(key.getPublicSSH())) return 'Username/PublicKey combination invalid';
  }
  return key;
}

/**
 * The authentication conversation of one connection: ssh2's authHandler.
 * `info` traces libcurl's verbose lines.
 */
export class AuthPlan {
  readonly #s: AuthSettings;
  readonly #info: (text: string) => void;
  #queue: Method[] | null = null;
  #current: Method | 'none' | null = null;
  #askedList = false;
  /** the agent was asked for its keys: what to go on with once it answered */
  #agentAsked: { agent: SshAgent; next: (a: AuthAttempt | false) => void } | null = null;
  #agentAnswer: { err: Error | null; keys: ParsedKey[] | null } | null = null;
  #agentUnreachable = false;

  constructor(s: AuthSettings, info: (text: string) => void) {
    this.#s = s;
    this.#info = info;
  }

  /** ssh2's authHandler(methodsLeft, partialSuccess, next). */
  readonly handler = (methodsLeft: string[] | null, _partial: boolean | null, next: (a: AuthAttempt | false) => void): void => {
    if (!this.#askedList) {
      // libssh2_userauth_list: a "none" request whose failure lists the methods
      this.#askedList = true;
      this.#current = 'none';
      next({ type: 'none', username: this.#s.user });
      return;
    }
    const offered = methodsLeft ?? [];
    if (this.#queue === null) {
      this.#info(`SSH authentication methods available: ${offered.join(',')}`);
      this.#queue = METHODS.filter(([, bit, name]) => (this.#s.types & bit) !== 0 && offered.includes(name)).map(([m]) => m);
    } else if (this.#current === 'publickey') {
      this.#info('SSH public key authentication failed: Username/PublicKey combination invalid');
    } else if (this.#current === 'agent') {
      // every key the agent had was refused
      this.#info('No identity would match');
    }
    this.#next(next);
  };

  /** Start the next method there is, or say there is none left. */
  #next(next: (a: AuthAttempt | false) => void): void {
    // bounded: at most four methods
    for (;;) {
      const m = this.#queue!.shift();
      if (m === undefined) {
        this.#current = null;
        next(false);
        return;
      }
      if (m === 'agent') {
        this.#askAgent(next);
        return;
      }
      const a = this.#attempt(m);
      if (a === null) continue;
      this.#current = m;
      next(a);
      return;
    }
  }

  /** The ssh-agent is being asked for its keys (ssh2 waits on next() meanwhile): the engine looks again soon. */
  get waiting(): boolean {
    return this.#agentAsked !== null;
  }

  /**
   * libssh2_agent_connect and _list_identities. The agent answers on a
   * socket of its own, outside the engine: the answer waits for step().
   */
  #askAgent(next: (a: AuthAttempt | false) => void): void {
    const path = this.#s.agentSocket;
    if (!path) {
      this.#info('Failure connecting to agent');
      this.#next(next);
      return;
    }
    const agent = new (ssh2().OpenSSHAgent)(path);
    this.#agentAsked = { agent, next };
    agent.getIdentities((err, keys) => {
      this.#agentAnswer = { err: err ?? null, keys: keys ?? null };
    });
  }

  /**
   * Called by the session inside the engine's step: once the agent answered,
   * go on, in libcurl's words when it failed; with keys, ssh2 offers each in
   * turn (libssh2_agent_userauth). So callbacks (DEBUGFUNCTION) run only
   * inside the application's calls into the library, as libcurl's do.
   */
  step(): void {
    const asked = this.#agentAsked;
    const answer = this.#agentAnswer;
    if (asked === null || answer === null) return;
    this.#agentAsked = null;
    this.#agentAnswer = null;
    const { err, keys } = answer;
    if (err || !keys) {
      const unreachable = err?.message === 'Failed to connect to agent';
      if (unreachable) this.#agentUnreachable = true;
      this.#info(unreachable ? 'Failure connecting to agent' : 'Failure requesting identities to agent');
      this.#next(asked.next);
      return;
    }
    if (keys.length === 0) {
      this.#info('No identity would match');
      this.#next(asked.next);
      return;
    }
    this.#current = 'agent';
    asked.next({ type: 'agent', username: this.#s.user, agent: withKnownKeys(asked.agent, keys) });
  }

  #attempt(m: Method): AuthAttempt | null {
    const s = this.#s;
    if (m === 'password') return { type: 'password', username: s.user, password: s.password };
    if (m === 'keyboard-interactive') {
      // every prompt gets the password, as libcurl's kbd_callback answers
      return {
        type: 'keyboard-interactive', username: s.user,
        prompt: (_n, _i, _l, prompts, finish) => finish(prompts.map(() => s.password)),
      };
    }
    const priv = s.privateKeyFile ?? defaultKeyFile(s.home);
    if (s.publicKeyFile) this.#info(`Using SSH public key file '${s.publicKeyFile}'`);
    this.#info(`Using SSH private key file '${priv}'`);
    const key = loadKey(s, priv);
    if (typeof key === 'string') {
      this.#info(`SSH public key authentication failed: ${key}`);
      return null;
    }
    return { type: 'publickey', username: s.user, key };
  }

  /** The server accepted the user: libcurl's lines for the method that did it. */
  succeeded(): void {
    switch (this.#current) {
      case 'publickey': this.#info('Initialized SSH public key authentication'); break;
      case 'password': this.#info('Initialized password authentication'); break;
      case 'keyboard-interactive': this.#info('Initialized keyboard interactive authentication'); break;
      case 'agent': this.#info('Agent based authentication successful'); break;
      default: this.#info('SSH user accepted with no authentication'); break;
    }
    this.#info('Authentication complete');
  }

  /**
   * The session ends. libssh2 fails to close an agent socket that never
   * connected, and curl 7.88 says so when it disconnects from the agent.
   */
  close(): void {
    this.#agentAsked = null;
    if (this.#agentUnreachable) this.#info('Failed to disconnect from libssh2 agent: -13 failed closing the agent socket');
    this.#agentUnreachable = false;
  }
}

/** The agent with the keys it listed: ssh2 would ask for them again, on a second connection. */
function withKnownKeys(agent: SshAgent, keys: ParsedKey[]): SshAgent {
  // ssh2 takes only instances of its BaseAgent: an object over the agent itself, not a plain one
  const known = Object.create(agent) as SshAgent;
  known.getIdentities = (cb) => cb(null, keys);
  return known;
}
