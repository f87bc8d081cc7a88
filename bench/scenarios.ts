// The scenario suite (src/sim/scenarioSuite.ts): every case on several seeds, through the replay
// path, printed as expected vs done; the last line is JSON {"passed", "failed", ...}.
// Usage: npm run bench:scenarios [-- --seeds N] [--cases a,b]
import { parseArgs } from 'node:util';
import { runScenarioCase, scenarioCases } from '../src/sim/scenarioSuite';

const { values } = parseArgs({ options: { seeds: { type: 'string', default: '3' }, cases: { type: 'string' } } });
const seeds = Array.from({ length: Number(values.seeds) }, (_, i) => i + 1);
const wanted = values.cases?.split(',').map((c) => c.trim());
const cases = scenarioCases.filter((c) => !wanted || wanted.includes(c.name));
const began = performance.now();
let passed = 0;
let failed = 0;
const failures: string[] = [];
console.log(`${'case'.padEnd(20)} ${'seed'.padStart(4)}  result  expected / what went wrong`);
for (const c of cases) {
  for (const seed of seeds) {
    const why = c.check(runScenarioCase(c, seed, Date.now()));
    if (why === null) passed += 1;
    else {
      failed += 1;
      failures.push(`${c.name} seed ${seed}`);
    }
    console.log(
      `${c.name.padEnd(20)} ${String(seed).padStart(4)}  ${why === null ? 'pass  ' : 'FAIL  '}  ${c.expected}${why === null ? '' : `\n${' '.repeat(34)}-> ${why}`}`,
    );
  }
}
console.log(`${passed} passed, ${failed} failed in ${((performance.now() - began) / 1000).toFixed(1)} s`);
console.log(JSON.stringify({ passed, failed, cases: cases.length, seeds: seeds.length, failures }));
