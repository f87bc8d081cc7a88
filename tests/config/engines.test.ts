import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import semver from 'semver';
import { projectRoot } from '../../src/config/root';

const json = (file: string) => JSON.parse(readFileSync(join(projectRoot, file), 'utf8'));

test('every locked package runs on the oldest Node the project declares, and on this one', () => {
  const declared: string = json('package.json').engines.node;
  const oldest = semver.minVersion(declared)?.version;
  assert.ok(oldest, `engines.node ${declared} has a minimum`);
  assert.ok(semver.satisfies(process.version, declared), `this Node ${process.version} is within ${declared}`);
  const lock = json('package-lock.json') as { packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean; os?: string[] }> };
  const refusing = Object.entries(lock.packages)
    .filter(([path, p]) => path !== '' && !(p.optional && p.os && !p.os.includes(process.platform)))
    .flatMap(([path, p]) => {
      const range = Array.isArray(p.engines) ? undefined : p.engines?.node;
      return range && !semver.satisfies(oldest, range) ? [`${path} needs node ${range}`] : [];
    });
  assert.deepEqual(refusing, []);
});
