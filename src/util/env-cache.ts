// Environment variables as the transfers of one call into the library see
// them. libcurl reads the proxy variables (http_proxy, no_proxy, ...) with
// getenv() for every transfer, which costs nothing in C; in Node each
// process.env read is a round trip into C++ (~0.3 us), five of them per
// request. So a value is read at most once per perform()/socketAction() call:
// an application that changes process.env between calls (the only place it
// can, outside callbacks) sees its change take effect on the next call.
let epoch = 0;

interface Entry {
  epoch: number;
  value: string | null;
}
// entries are updated in place, never deleted: a Map whose table is replaced
// over and over keeps the old tables alive for the young-generation GC
const entries = new Map<string, Entry>();

/** Holders that promise the environment stays as it is (see holdEnv). */
let holds = 0;

/** A new call into the library started: read the environment again when asked. */
export function refreshEnv(): void {
  if (holds === 0) epoch++;
}

/**
 * The caller promises that nothing changes process.env until it calls the
 * returned release: each variable is then read once for all the library
 * calls in between, not once per call. The tool holds it for its run (curl's
 * tool never changes its environment, and libcurl's per-transfer getenv()
 * costs nothing in C); after the release values are read anew.
 */
export function holdEnv(): () => void {
  holds++;
  epoch++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holds--;
    epoch++;
  };
}

/** Changes whenever the environment may be read anew (memos of derived values key on it). */
export function envEpoch(): number {
  return epoch;
}

/** process.env[name], or null when unset. */
export function envVar(name: string): string | null {
  let e = entries.get(name);
  if (!e) entries.set(name, (e = { epoch: -1, value: null }));
  if (e.epoch !== epoch) {
    const raw = process.env[name];
    e.value = raw === undefined ? null : raw;
    e.epoch = epoch;
  }
  return e.value;
}
