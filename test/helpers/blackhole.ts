// A TCP listener whose connect() never completes: python3 listens with a
// backlog of 0 and fills its accept queue with connections it never accepts,
// so the kernel drops further SYNs and a client's connect() hangs until its
// own timeout. Needs python3 (requireProgram('python3', 'python3')).
import { spawn } from 'node:child_process';

export interface Blackhole {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts one on `host` ('127.0.0.1' or '::1'), on a free port or the given one. */
export async function startBlackhole(host = '127.0.0.1', port = 0): Promise<Blackhole> {
  const family = host.includes(':') ? 'socket.AF_INET6' : 'socket.AF_INET';
  const py = spawn('python3', ['-c', [
    'import socket,sys,time',
    `s=socket.socket(${family}); s.bind((${JSON.stringify(host)},${port})); s.listen(0)`,
    'print(s.getsockname()[1], flush=True)',
    'fill=[]',
    'for _ in range(4):',
    `  c=socket.socket(${family}); c.setblocking(False); c.connect_ex(s.getsockname()[:2]); fill.append(c)`,
    'time.sleep(0.2)',
    'print("full", flush=True)',
    'sys.stdin.read()',
  ].join('\n')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    py.on('exit', (code) => reject(new Error(`blackhole listener exited (${code})`)));
    py.stdout!.on('data', (d: Buffer) => {
      lines.push(...d.toString().trim().split('\n'));
      if (lines.includes('full')) resolve();
    });
  });
  return {
    port: Number(lines[0]),
    close: async () => {
      py.removeAllListeners('exit');
      const exited = new Promise((r) => py.on('exit', r));
      py.stdin!.end();
      await exited;
    },
  };
}
