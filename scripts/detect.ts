// Streaming anomaly scorer for backtests: `timestamp,value` CSV (header first) on stdin, one score
// in [0,1] per data row on stdout, written as soon as the row is read. Same scoring as the agent.
import { createInterface } from 'node:readline';
import { defaultAgentConfig, initialSeriesState, scorePoint } from '../src/agent';

const SCORE_DECIMALS = 6;

async function main(): Promise<void> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let state = initialSeriesState();
  let header = true;
  for await (const line of lines) {
    if (header) {
      header = false;
      continue;
    }
    if (line.trim() === '') continue;
    const value = Number(line.slice(line.lastIndexOf(',') + 1).trim());
    const scored = scorePoint(state, value, defaultAgentConfig);
    state = scored.state;
    process.stdout.write(`${scored.score.toFixed(SCORE_DECIMALS)}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`detect: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
