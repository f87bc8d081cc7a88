import { spawn } from 'node:child_process';
import { once } from 'node:events';

export interface Script {
  output(): string;
  exit: Promise<number | null>;
  /** Resolves once the output matches, or rejects when the script ends or time runs out first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  signal(name: NodeJS.Signals): void;
}

/** Runs a TypeScript entry point with arguments, as `npm run <script> -- args` would. */
export function runScript(entry: string, args: readonly string[], env: Record<string, string> = {}): Script {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  return {
    output: () => output,
    exit,
    async waitFor(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(output);
        if (match) return match;
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${entry}: no ${pattern} in:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    signal: (name) => void child.kill(name),
  };
}
