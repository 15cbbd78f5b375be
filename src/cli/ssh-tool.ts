// What curl 7.88's tool adds for scp:// and sftp:// URLs (tool_operate.c):
// --key is the SSH private key too, and unless -k the known_hosts file is
// the first ".ssh/known_hosts" findfile() finds ($CURL_HOME, then
// $XDG_CONFIG_HOME, then $HOME), or a warning when there is none (then the
// host key is not checked at all). --knownhosts (curl 8.17's flag) names
// the file instead.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CURLOPT } from '../index.js';

interface Step {
  id: number;
  value: unknown;
}

export function sshToolOptions(url: string, steps: readonly Step[], env: NodeJS.ProcessEnv,
  exists: (p: string) => boolean = existsSync): { set: Array<[number, unknown]>; warning?: string } {
  if (!/^(scp|sftp):\/\//i.test(url)) return { set: [] };
  const set: Array<[number, unknown]> = [];
  const key = steps.filter((s) => s.id === CURLOPT.SSLKEY).pop();
  if (key) set.push([CURLOPT.SSH_PRIVATE_KEYFILE, key.value]);
  const insecure = steps.some((s) => s.id === CURLOPT.SSL_VERIFYPEER && s.value === 0);
  if (insecure || steps.some((s) => s.id === CURLOPT.SSH_KNOWNHOSTS)) return { set };
  for (const dir of [env.CURL_HOME, env.XDG_CONFIG_HOME, env.HOME]) {
    if (!dir) continue;
    const file = join(dir, '.ssh', 'known_hosts');
    if (exists(file)) {
      set.push([CURLOPT.SSH_KNOWNHOSTS, file]);
      return { set };
    }
  }
  // (7.88 prints it without a newline: the progress meter goes on on that line)
  return { set, warning: "Couldn't find a known_hosts file!" };
}

/** What curl's tool prints after a CURLE_PEER_FAILED_VERIFICATION message (tool_operate.c). */
export const CA_CERT_ERRORMSG = 'More details here: https://curl.se/docs/sslcerts.html\n\n' +
  'curl failed to verify the legitimacy of the server and therefore could not\n' +
  'establish a secure connection to it. To learn more about this situation and\n' +
  'how to fix it, please visit the web page mentioned above.\n';
