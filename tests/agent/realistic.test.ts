// The detector on realistic traffic: every case of the scenario suite (src/sim/scenarioSuite.ts,
// expected behaviour written beside each) on one seed, through the replay path, with no Postgres or
// Redis. bench:scenarios runs the same cases on several seeds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScenarioCase, scenarioCases } from '../../src/sim/scenarioSuite';

/** A fixed replay clock well after the generated day, so no event time is refused as future. */
const NOW = Date.UTC(2026, 10, 30);

for (const c of scenarioCases) {
  test(`${c.name}: ${c.expected}`, () => {
    const why = c.check(runScenarioCase(c, 1, NOW));
    assert.equal(why, null, why ?? '');
  });
}
