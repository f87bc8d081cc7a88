import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configSchema, configSections, roles, type Config, type Role } from './schema';

export const defaultConfigPath = 'payops.yaml';

/** Every problem in the configuration, one line per bad key. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`);
  }
}

type Env = Record<string, string | undefined>;
type RawConfig = Record<string, Record<string, unknown>>;

// Environment variables with their own meaning; every other PAYOPS_* overrides one key.
const reservedEnv = new Set(['PAYOPS_CONFIG', 'PAYOPS_API_KEYS', 'PAYOPS_AUTH', 'PAYOPS_ROLE']);
const plainEnv: Record<string, [keyof Config, string]> = {
  HOST: ['server', 'host'],
  PORT: ['server', 'port'],
  DATABASE_URL: ['database', 'url'],
  REDIS_URL: ['redis', 'url'],
};

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const raw = readConfigFile(env, problems);
  applyEnvironment(raw, env, problems);
  if (problems.length) throw new ConfigError(problems);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues));
  return parsed.data;
}

function readConfigFile(env: Env, problems: string[]): RawConfig {
  const path = env.PAYOPS_CONFIG ?? defaultConfigPath;
  if (!existsSync(path)) {
    if (env.PAYOPS_CONFIG) problems.push(`PAYOPS_CONFIG: file ${path} does not exist`);
    return {};
  }
  try {
    const doc: unknown = parseYaml(readFileSync(path, 'utf8'));
    if (doc === null || doc === undefined) return {};
    if (typeof doc !== 'object' || Array.isArray(doc)) {
      problems.push(`${path}: the top level must be a mapping of sections`);
      return {};
    }
    return doc as RawConfig;
  } catch (err) {
    problems.push(`${path}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    return {};
  }
}

function setKey(raw: RawConfig, section: string, key: string, value: unknown): void {
  const current = raw[section];
  raw[section] = { ...(current && typeof current === 'object' ? current : {}), [key]: value };
}

function applyEnvironment(raw: RawConfig, env: Env, problems: string[]): void {
  for (const [name, [section, key]] of Object.entries(plainEnv)) {
    const value = env[name];
    if (value !== undefined && value !== '') setKey(raw, section, key, parseScalar(value));
  }
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('PAYOPS_') || reservedEnv.has(name) || value === undefined) continue;
    const rest = name.slice('PAYOPS_'.length).toLowerCase();
    // A section's name may hold an underscore itself (error_codes).
    const section = configSections.find((candidate) => rest.startsWith(`${candidate}_`) && rest.length > candidate.length + 1);
    if (!section) {
      problems.push(`${name}: no such configuration key (expected PAYOPS_<SECTION>_<KEY>, sections: ${configSections.join(', ')})`);
      continue;
    }
    setKey(raw, section, rest.slice(section.length + 1), parseScalar(value));
  }
  if (env.PAYOPS_API_KEYS !== undefined) {
    setKey(raw, 'auth', 'keys', parseApiKeys(env.PAYOPS_API_KEYS, problems));
  }
  if (env.PAYOPS_AUTH !== undefined) {
    if (env.PAYOPS_AUTH === 'on' || env.PAYOPS_AUTH === 'off') setKey(raw, 'auth', 'mode', env.PAYOPS_AUTH);
    else problems.push(`PAYOPS_AUTH: must be "on" or "off", got "${env.PAYOPS_AUTH}"`);
  }
}

// Environment values are YAML scalars, so "0.5" is a number and "true" a boolean, as in the file.
function parseScalar(value: string): unknown {
  try {
    return parseYaml(value);
  } catch {
    return value;
  }
}

function parseApiKeys(value: string, problems: string[]): { key: string; role: Role }[] {
  const keys: { key: string; role: Role }[] = [];
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .forEach((entry, index) => {
      const split = entry.lastIndexOf(':');
      const key = entry.slice(0, split);
      const role = entry.slice(split + 1);
      if (split <= 0 || !(roles as readonly string[]).includes(role)) {
        problems.push(`PAYOPS_API_KEYS: entry ${index + 1} must be key:role with role one of ${roles.join(', ')}`);
        return;
      }
      keys.push({ key, role: role as Role });
    });
  return keys;
}

function describeIssues(issues: z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) => {
    const path = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${path ? `${path}.` : ''}${key}: unknown key`);
    }
    // A bad map key (e.g. value.fee_rates) is named with the key's own rule, not zod's generic line.
    if (issue.code === 'invalid_key') return issue.issues.map((inner) => `${path}: invalid key: ${inner.message}`);
    return [`${path || '(root)'}: ${issue.message}`];
  });
}
