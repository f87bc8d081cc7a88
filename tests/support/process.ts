import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface RunningProcess {
  child: ChildProcess;
  output(): string;
  exit: Promise<number | null>;
  /** Resolves once the output matches, or rejects when the process ends or time runs out first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** The URL the process logged when it started listening. */
  listeningUrl(timeoutMs?: number): Promise<string>;
  stop(): Promise<number | null>;
}

/**
 * Runs a TypeScript entry point (the service by default) as a real child process, with
 * arguments as `npm run <script> -- args` would pass them. PORT defaults to 0 (any free port).
 */
export function runProcess(env: Record<string, string>, entry = 'src/main.ts', args: readonly string[] = []): RunningProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  const waitFor = async (pattern: RegExp, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(output);
      if (match) return match;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${entry}: no ${pattern} in:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return {
    child,
    output: () => output,
    exit,
    waitFor,
    listeningUrl: async (timeoutMs = 30_000) => (await waitFor(/listening at (http:\/\/127\.0\.0\.1:\d+)/i, timeoutMs))[1]!,
    stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exit;
    },
  };
}
