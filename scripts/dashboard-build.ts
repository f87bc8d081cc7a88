import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dashboardDir } from '../src/api/dashboard';

const root = join(import.meta.dirname, '..');

const newestChange = (path: string): number =>
  statSync(path).isDirectory() ? Math.max(0, ...readdirSync(path).map((name) => newestChange(join(path, name)))) : statSync(path).mtimeMs;

/**
 * A fresh clone has no built dashboard, and an edited one a stale build: build it the way
 * `npm run build` does. Runs before `npm start` and `npm run demo`, and in the browser tests.
 */
export function ensureDashboardBuilt(): void {
  const index = join(dashboardDir, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestChange(join(root, 'web'))) return;
  execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', 'web', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) ensureDashboardBuilt();
