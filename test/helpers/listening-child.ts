// Waiting for a server process a test spawned (sshd, smbd, mosquitto) to
// accept connections on its port, and stopping it afterwards together with
// its temp dir. The helpers keep their own retry on another port: what
// counts as a failed bind is each server's own log line.
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { canConnect } from './ports.js';

/**
 * Polls `port` (bounded: `tries` times, `intervalMs` apart) until the child
 * accepts. Then: its stop(), which sends SIGTERM and removes `dir` once it
 * exited. null when it exited first or never listened (it is killed then).
 */
export async function awaitListening(child: ChildProcess, port: number, dir: string, tries: number, intervalMs: number): Promise<(() => Promise<void>) | null> {
  let exited = false;
  child.once('exit', () => { exited = true; });
  for (let i = 0; i < tries && !exited; i++) {
    if (await canConnect(port)) {
      return () => new Promise<void>((resolve) => {
        const done = (): void => { rmSync(dir, { recursive: true, force: true }); resolve(); };
        if (exited) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
      });
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  if (!exited) child.kill('SIGKILL');
  return null;
}
