import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
export { ensureDashboardBuilt } from '../../scripts/dashboard-build';

/** Debian's chromium package; playwright-core never downloads a browser. */
const executablePath = '/usr/bin/chromium';
const launchArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const root = join(import.meta.dirname, '../..');
export const artifactsDir = join(root, 'artifacts/web');

export interface Browser {
  context: BrowserContext;
  /** A new tab whose console errors and uncaught exceptions are collected. */
  open(): Promise<{ page: Page; errors: string[] }>;
  close(): Promise<void>;
}

/** Headless Chromium with a profile of its own, removed on close. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(executablePath)) throw new Error(`${executablePath} is missing: apt-get install -y chromium`);
  mkdirSync(artifactsDir, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'payops-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    args: launchArgs,
    headless: true,
    viewport: { width: 1400, height: 1000 },
  });
  return {
    context,
    async open() {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
      page.on('pageerror', (error) => errors.push(error.message));
      return { page, errors };
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export const screenshot = (page: Page, name: string) => page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
