// The CA bundle curl's tool takes from the environment (tool_operate.c's
// single_transfer): only when the command line names none and verification
// is on.
import { CURLOPT } from '../index.js';
import type { TransferConfig } from './transfer-config.js';

/**
 * curl's tool reads the CA bundle from the environment when the command line
 * names none and verification is on: CURL_CA_BUNDLE, else SSL_CERT_DIR (a
 * directory), else SSL_CERT_FILE.
 */
export function caFromEnvironment(cfg: TransferConfig, env: NodeJS.ProcessEnv): { opt: number; value: string } | undefined {
  const named = cfg.steps.some((st) => st.id === CURLOPT.CAINFO || st.id === CURLOPT.CAPATH);
  const insecure = cfg.steps.some((st) => st.id === CURLOPT.SSL_VERIFYPEER && st.value === 0);
  if (named || insecure) return undefined;
  if (env.CURL_CA_BUNDLE) return { opt: CURLOPT.CAINFO, value: env.CURL_CA_BUNDLE };
  if (env.SSL_CERT_DIR) return { opt: CURLOPT.CAPATH, value: env.SSL_CERT_DIR };
  if (env.SSL_CERT_FILE) return { opt: CURLOPT.CAINFO, value: env.SSL_CERT_FILE };
  return undefined;
}

/**
 * caFromEnvironment() once per group: curl's tool stores what it found in
 * the group's config (config->cacert), so its later URLs do not read the
 * environment again; nothing changes the environment during a run.
 */
const caByConfig = new WeakMap<TransferConfig, { opt: number; value: string } | null>();
export function groupCaFromEnvironment(cfg: TransferConfig): { opt: number; value: string } | undefined {
  let ca = caByConfig.get(cfg);
  if (ca === undefined) caByConfig.set(cfg, (ca = caFromEnvironment(cfg, process.env) ?? null));
  return ca ?? undefined;
}
