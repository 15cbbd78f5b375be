// Stopping a server process a test started: SIGTERM, resolved once it exited
// (at once when it already has).
import type { ChildProcess } from 'node:child_process';

export function stopChild(child: ChildProcess): () => Promise<void> {
  return () => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
