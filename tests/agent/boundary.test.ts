// The core's boundary and purity are rules that `npm run lint` checks (.dependency-cruiser.cjs,
// eslint.config.js). Here they run on the tree, which must pass, and on a deliberately bad fixture,
// which must fail: so a rule that stopped working would be seen.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const root = join(import.meta.dirname, '../..');
const fixture = join(root, 'tests/fixtures/bad-core-import');

/** dependency-cruiser's violations, as `rule: from → to`. */
function cruise(cwd: string, targets: readonly string[]): string[] {
  const run = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
      '--config',
      join(root, '.dependency-cruiser.cjs'),
      '--output-type',
      'json',
      ...targets,
    ],
    { cwd, encoding: 'utf8' },
  );
  const { summary } = JSON.parse(run.stdout) as { summary: { violations: { from: string; to: string; rule: { name: string } }[] } };
  // A package is named from node_modules on, wherever that is from the fixture.
  return summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to.replace(/^.*node_modules\//, 'node_modules/')}`).sort();
}

test('the tree keeps the core pure and enters it only through its index', () => {
  assert.deepEqual(cruise(root, ['src', 'tests', 'scripts', 'bench', 'web/src']), []);
});

test('the dependency rules refuse a core module importing pg, and a module outside reaching past the index', () => {
  assert.deepEqual(cruise(fixture, ['src']), [
    'core-is-pure: src/agent/impure.ts → node_modules/pg/lib/index.js',
    'one-door-into-the-core: src/outside.ts → src/agent/impure.ts',
  ]);
});

test('ESLint refuses the clock, timers, fetch, randomness and process inside the core', async () => {
  const eslint = new ESLint({ cwd: root, ignore: false });
  const [result] = await eslint.lintFiles([join(fixture, 'src/agent/impure.ts')]);
  const refused = result!.messages.map((m) => `${m.line}:${m.ruleId}`);
  assert.deepEqual(refused, [
    '5:no-restricted-properties',
    '6:no-restricted-syntax',
    '7:no-restricted-properties',
    '8:no-restricted-globals',
    '9:no-restricted-globals',
    '10:no-restricted-globals',
  ]);
  // The same code outside the core is the service's business (linted as if it were a file of the jobs).
  const [outside] = await eslint.lintText('export const now = (): number => Date.now();\n', { filePath: join(root, 'src/jobs/queues.ts') });
  assert.deepEqual(outside!.messages, []);
});
