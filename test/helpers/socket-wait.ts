// libcurl's examples' wait_on_socket(): resolve when a handle's socket
// (CURLINFO_ACTIVESOCKET) is ready for IN or OUT, watched with a
// SocketWatcher; a watchdog fails a test that would otherwise hang.
import { CURLINFO, SocketWatcher, type Easy } from '../../src/index.js';

export function waitOnSocket(e: Easy, what: number, timeoutMs = 10_000): Promise<void> {
  const s = e.getinfo(CURLINFO.ACTIVESOCKET) as number;
  return new Promise((resolve, reject) => {
    const w = new SocketWatcher(s);
    const dog = setTimeout(() => {
      w.stop();
      reject(new Error('socket never became ready'));
    }, timeoutMs);
    w.start(what, () => {
      clearTimeout(dog);
      w.stop();
      resolve();
    });
  });
}
