// Streaming anomaly scorer for backtests: `timestamp,value` CSV (header first) on stdin, one score
// in [0,1] per data row on stdout, written as soon as the row is read. It is the scorer the agent
// runs on its system-wide series each window (detect's scoreSystemSeries): fed the values and
// variances the agent read, it prints the agent's own scores. A row whose value is missing or not a
// number scores 0 and teaches nothing; blank lines are not rows. The columns are found by name in
// the header (`timestamp`, `value`), else the first and second; an optional `variance` column
// gives each value's sampling variance, as the agent gives it for rates and p95s.
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { initialSeriesState, scorePoint } from '../src/agent';

const SCORE_DECIMALS = 6;
const TIME_COLUMNS = ['timestamp', 'time', 'date', 'datetime'];
const VALUE_COLUMNS = ['value'];

interface Columns {
  time: number;
  value: number;
  /** -1 when the header names none. */
  variance: number;
}

const fieldsOf = (line: string): string[] =>
  line.split(',').map((f) =>
    f
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .trim(),
  );

function columnsOf(header: string): Columns {
  const names = fieldsOf(header.replace(/^\uFEFF/, '')).map((f) => f.toLowerCase());
  const find = (wanted: readonly string[], fallback: number): number => {
    const i = names.findIndex((n) => wanted.includes(n));
    return i >= 0 ? i : fallback;
  };
  const time = find(TIME_COLUMNS, 0);
  return { time, value: find(VALUE_COLUMNS, names.length > 1 ? (time === 0 ? 1 : 0) : 0), variance: names.indexOf('variance') };
}

/** Empty fields are missing, not zero (Number('') is 0). */
const numberOf = (field: string | undefined): number => (field === undefined || field === '' ? Number.NaN : Number(field));

/** Epoch-like numbers as they are (only differences matter); dates without a zone read as UTC. */
function timestampOf(field: string | undefined): number | undefined {
  const n = numberOf(field);
  if (Number.isFinite(n)) return n;
  if (field === undefined) return undefined;
  const zoneless = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(field);
  const t = Date.parse(zoneless ? `${field.replace(' ', 'T')}Z` : field);
  return Number.isFinite(t) ? t : undefined;
}

async function main(): Promise<void> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const state = initialSeriesState();
  let columns: Columns | null = null;
  for await (const line of lines) {
    if (columns === null) {
      columns = columnsOf(line);
      continue;
    }
    if (line.trim() === '') continue;
    const fields = fieldsOf(line);
    const variance = columns.variance >= 0 ? numberOf(fields[columns.variance]) : Number.NaN;
    const { score } = scorePoint(state, {
      value: numberOf(fields[columns.value]),
      timestamp: timestampOf(fields[columns.time]),
      ...(Number.isFinite(variance) ? { variance } : {}),
    });
    if (!process.stdout.write(`${score.toFixed(SCORE_DECIMALS)}\n`)) await once(process.stdout, 'drain');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`detect: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
