import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config';
import { createService, type Service, type ServiceOptions } from '../../src/service';

export const keys = {
  ingest: 'test-ingest-key',
  operator: 'test-operator-key',
  viewer: 'test-viewer-key',
} as const;

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

/** The service's own defaults, pointed at this test file's database and Redis key prefix. */
export function testConfig(databaseUrl: string, redisPrefix: string, env: Record<string, string> = {}): Config {
  const config = loadConfig({
    PAYOPS_CONFIG: undefined,
    DATABASE_URL: databaseUrl,
    PAYOPS_API_KEYS: Object.entries(keys)
      .map(([role, key]) => `${key}:${role}`)
      .join(','),
    // Fresh per run: jobs a previous run left in Redis must not be taken for this run's.
    PAYOPS_REDIS_KEY_PREFIX: `${redisPrefix}-${randomBytes(4).toString('hex')}`,
    PAYOPS_LOGGING_LEVEL: 'silent',
    PAYOPS_AUDIT_EXPORT_DIR: mkdtempSync(join(tmpdir(), 'payops-audit-')),
    ...env,
  });
  return config;
}

export async function startService(config: Config, options: ServiceOptions = {}): Promise<Service> {
  const service = await createService(config, pino({ level: 'silent' }), options);
  await service.app.ready();
  return service;
}
