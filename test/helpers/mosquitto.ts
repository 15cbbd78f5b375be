// Debian's mosquitto (MQTT broker), started by the MQTT tests on 127.0.0.1
// with a configuration in a temp dir: anonymous clients, or only the users
// of a password file made with mosquitto_passwd. A test asks NO_MOSQUITTO
// first (skipped with the package named; an error under CI, where .ci/run
// installs it).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireProgram } from './requires.js';
import { freePort } from './ports.js';
import { awaitListening } from './listening-child.js';

/** mosquitto lives in sbin, not on every PATH. */
const MOSQUITTO_BIN = '/usr/sbin/mosquitto';
const PASSWD_BIN = '/usr/bin/mosquitto_passwd';

function executable(f: string): boolean {
  try {
    accessSync(f, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export const NO_MOSQUITTO: string | false = executable(MOSQUITTO_BIN) && executable(PASSWD_BIN) ? false : requireProgram('mosquitto', 'mosquitto');

export interface Mosquitto {
  port: number;
  stop(): Promise<void>;
}

/** Start a broker; `users` (name -> password) turns anonymous access off. */
export async function startMosquitto(users?: Record<string, string>): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-mosquitto-'));
  let auth = 'allow_anonymous true\n';
  if (users) {
    const file = join(dir, 'passwd');
    writeFileSync(file, '');
    for (const [u, p] of Object.entries(users)) execFileSync(PASSWD_BIN, ['-b', file, u, p], { stdio: 'ignore' });
    auth = `allow_anonymous false\npassword_file ${file}\n`;
  }
  // a port can be taken between freePort() and the broker's bind: try a few times
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const conf = join(dir, 'mosquitto.conf');
    // as root mosquitto would drop to its own user, which cannot read the temp dir
    const user = process.getuid?.() === 0 ? 'user root\n' : '';
    writeFileSync(conf, `${user}listener ${port} 127.0.0.1\n${auth}persistence false\nlog_dest file ${join(dir, 'log')}\n`);
    const child: ChildProcess = spawn(MOSQUITTO_BIN, ['-c', conf], { stdio: 'ignore' });
    const stop = await awaitListening(child, port, dir, 200, 25);
    if (stop) return { port, stop };
  }
  const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8') : '';
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`mosquitto did not start: ${log.slice(-2000)}`);
}
