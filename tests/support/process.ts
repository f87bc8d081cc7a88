import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface RunningProcess {
  child: ChildProcess;
  output(): string;
  exit: Promise<number | null>;
  /** The URL the process logged when it started listening. */
  listeningUrl(timeoutMs?: number): Promise<string>;
  stop(): Promise<number | null>;
}

/** Runs a TypeScript entry point (the service by default) as a real child process. */
export function runProcess(env: Record<string, string>, entry = 'src/main.ts'): RunningProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    output: () => output,
    exit,
    async listeningUrl(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = /listening at (http:\/\/127\.0\.0\.1:\d+)/i.exec(output);
        if (match) return match[1]!;
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${entry} did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exit;
    },
  };
}
