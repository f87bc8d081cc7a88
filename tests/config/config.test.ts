import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultAgentConfig } from '../../src/agent';
import { parse as parseYaml } from 'yaml';
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../../src/config';
import { agentKeyNames } from '../../src/config/schema';

function yamlFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'payops-config-')), 'payops.yaml');
  writeFileSync(path, text);
  return path;
}

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('configuration was accepted');
}

describe('configuration', () => {
  it('has working defaults with no file and no environment', () => {
    const config = loadConfig({});
    assert.equal(config.server.port, 3000);
    assert.equal(config.server.host, '127.0.0.1');
    assert.equal(config.auth.mode, 'on');
    assert.equal(config.drift.mean_success, 0.95);
    assert.deepEqual(config.agent, defaultAgentConfig);
  });

  it('accepts every agent setting of the core under its snake_case name', () => {
    const config = loadConfig({ PAYOPS_AGENT_MODE: 'shadow', PAYOPS_AGENT_AUTONOMY_BLAST_RADIUS_LIMIT: '0.1', PAYOPS_AGENT_EWMA_ALPHA: '0.3' });
    assert.equal(config.agent.mode, 'shadow');
    assert.equal(config.agent.autonomyBlastRadiusLimit, 0.1);
    assert.equal(config.agent.ewmaAlpha, 0.3);
    assert.ok(problemsOf({ PAYOPS_AGENT_MODE: 'yolo' }).some((line) => line.startsWith('agent.mode:')));
    assert.ok(problemsOf({ PAYOPS_AGENT_MAX_SUPPRESSED_ISSUERS: '1.5' }).some((line) => line.startsWith('agent.max_suppressed_issuers:')));
  });

  it('reads the original continuous-stream keys from YAML', () => {
    const config = loadConfig({
      PAYOPS_CONFIG: yamlFile(
        'drift:\n  theta: 0.2\n  sigma: 0.01\n  mean_success: 0.9\nagent:\n  cycle_interval: 0.5\n  anomaly_threshold: 2.5\n  min_action_frequency_cycles: 4\nlogging:\n  level: debug\n  format: text\n',
      ),
    });
    assert.deepEqual(config.drift, { theta: 0.2, sigma: 0.01, mean_success: 0.9 });
    assert.equal(config.agent.cycleIntervalSeconds, 0.5);
    assert.equal(config.agent.anomalyThreshold, 2.5);
    assert.equal(config.agent.minActionFrequencyCycles, 4);
    assert.equal(config.logging.format, 'text');
  });

  it('lets the environment override one key over the file', () => {
    const config = loadConfig({
      PAYOPS_CONFIG: yamlFile('agent:\n  cycle_interval: 5\n'),
      PAYOPS_AGENT_CYCLE_INTERVAL: '0.5',
      PAYOPS_AGENT_MIN_ACTION_FREQUENCY_CYCLES: '3',
      PORT: '4000',
      DATABASE_URL: 'postgres://elsewhere/db',
      PAYOPS_API_KEYS: 'gateway-key-1:ingest,ops-key-0001:operator',
      PAYOPS_AUTH: 'off',
    });
    assert.equal(config.agent.cycleIntervalSeconds, 0.5);
    assert.equal(config.agent.minActionFrequencyCycles, 3);
    assert.equal(config.server.port, 4000);
    assert.equal(config.database.url, 'postgres://elsewhere/db');
    assert.deepEqual(config.auth.keys, [
      { key: 'gateway-key-1', role: 'ingest' },
      { key: 'ops-key-0001', role: 'operator' },
    ]);
    assert.equal(config.auth.mode, 'off');
  });

  it('names every bad key on its own line', () => {
    const problems = problemsOf({
      PAYOPS_CONFIG: yamlFile('agent:\n  anomaly_threshold: high\n  cycle_intreval: 5\nlogging:\n  level: loud\nextras: {}\n'),
      PORT: 'eighty',
      PAYOPS_NOSECTION_X: '1',
      PAYOPS_API_KEYS: 'lonelykey',
      PAYOPS_AUTH: 'maybe',
    });
    const mentions = ['PAYOPS_NOSECTION_X', 'PAYOPS_API_KEYS', 'PAYOPS_AUTH'];
    for (const name of mentions)
      assert.ok(
        problems.some((line) => line.startsWith(name)),
        `${name} in ${problems.join(' | ')}`,
      );
  });

  it('requires a Standard Webhooks secret (whsec_ and base64) whenever webhooks are configured', () => {
    const hooks = { PAYOPS_ACTIONS_WEBHOOKS: '[https://ops.example.com/payops]' };
    assert.deepEqual(problemsOf(hooks), [
      'actions.webhook_secret: is required when webhooks are configured (whsec_ followed by base64 of 24 to 64 random bytes)',
    ]);
    for (const secret of ['hunter2-but-longer-than-anything', 'whsec_', 'whsec_c2hvcnQ=', 'whsec_not base64!']) {
      const problems = problemsOf({ ...hooks, PAYOPS_ACTIONS_WEBHOOK_SECRET: secret });
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0]!, /^actions\.webhook_secret: must be whsec_ followed by the base64 of 24 to 64 random bytes/);
    }
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    assert.equal(loadConfig({ ...hooks, PAYOPS_ACTIONS_WEBHOOK_SECRET: secret }).actions.webhook_secret, secret);
    assert.equal(loadConfig({}).actions.webhook_secret, '', 'no webhooks, no secret needed');
  });

  it('reports schema problems one line per key', () => {
    const problems = problemsOf({
      PAYOPS_CONFIG: yamlFile('agent:\n  anomaly_threshold: high\n  cycle_intreval: 5\nlogging:\n  level: loud\nextras: {}\n'),
      PORT: 'eighty',
    });
    assert.equal(problems.length, 5, problems.join('\n'));
    for (const key of ['agent.anomaly_threshold', 'agent.cycle_intreval', 'logging.level', 'extras', 'server.port']) {
      assert.ok(
        problems.some((line) => line.startsWith(`${key}:`)),
        `${key} in ${problems.join(' | ')}`,
      );
    }
  });

  it('refuses a missing named file and malformed YAML', () => {
    assert.match(problemsOf({ PAYOPS_CONFIG: '/nonexistent/payops.yaml' })[0]!, /does not exist/);
    assert.match(problemsOf({ PAYOPS_CONFIG: yamlFile('agent: [unclosed\n') })[0]!, /not valid YAML/);
  });

  it('documents every key with its default in config/payops.example.yaml', () => {
    assert.deepEqual(loadConfig({ PAYOPS_CONFIG: 'config/payops.example.yaml' }), loadConfig({}));
    const example = parseYaml(readFileSync('config/payops.example.yaml', 'utf8')) as Record<string, Record<string, unknown>>;
    const defaults = loadConfig({});
    for (const [section, settings] of Object.entries(defaults)) {
      const expected = section === 'agent' ? Object.keys(agentKeyNames) : Object.keys(settings);
      assert.deepEqual(Object.keys(example[section] ?? {}).sort(), expected.sort(), `every ${section}.* key in the example`);
    }
  });

  it('prices payments from actions.* and value.*, into the core settings of the same meaning', () => {
    const defaults = loadConfig({});
    assert.equal(defaults.agent.customerSwitchRate, 0.4);
    assert.equal(defaults.agent.retryCost, 15);
    assert.equal(defaults.agent.valueBasis, 'gmv');
    assert.deepEqual(defaults.agent.feeRates, defaultAgentConfig.feeRates);
    const config = loadConfig({
      PAYOPS_CONFIG: yamlFile(
        'actions:\n  customer_switch_rate: 0.25\n  retry_cost: 4.5\nvalue:\n  basis: revenue\n  fee_rates: { default: 0.02, upi: 0.001 }\n',
      ),
    });
    assert.equal(config.agent.customerSwitchRate, 0.25);
    assert.equal(config.agent.retryCost, 4.5);
    assert.equal(config.agent.valueBasis, 'revenue');
    assert.deepEqual(config.agent.feeRates, { default: 0.02, upi: 0.001 }, 'the map replaces the defaults whole');
    assert.equal(loadConfig({ PAYOPS_VALUE_FEE_RATES: '{default: 0.01, card: 0.03}' }).agent.feeRates.card, 0.03, 'a map from the environment too');
  });

  it('keeps the pricing settings out of agent.* and refuses bad ones, naming the key', () => {
    for (const key of ['customer_switch_rate', 'retry_cost', 'value_basis', 'fee_rates']) {
      assert.equal(agentKeyNames[key], undefined, key);
      assert.ok(problemsOf({ [`PAYOPS_AGENT_${key.toUpperCase()}`]: '1' }).includes(`agent.${key}: unknown key`), key);
    }
    assert.ok('autonomy_route_share_limit' in agentKeyNames && 'max_dimension_values' in agentKeyNames);
    const problems = problemsOf({
      PAYOPS_CONFIG: yamlFile('actions:\n  customer_switch_rate: 1.5\n  retry_cost: -1\nvalue:\n  basis: profit\n  fee_rates: { Card: 0.02, upi: 2 }\n'),
    });
    for (const key of ['actions.customer_switch_rate', 'actions.retry_cost', 'value.basis', 'value.fee_rates.Card: invalid key', 'value.fee_rates.upi']) {
      assert.ok(
        problems.some((line) => line.startsWith(key)),
        `${key} in ${problems.join(' | ')}`,
      );
    }
    assert.deepEqual(problemsOf({ PAYOPS_VALUE_FEE_RATES: '{card: 0.02}' }), ['value.fee_rates: needs a `default` rate for the methods not listed']);
    assert.ok(problemsOf({ PAYOPS_AGENT_MAX_DIMENSION_VALUES: '0' }).some((line) => line.startsWith('agent.max_dimension_values:')));
  });

  it('reads the failure-code taxonomy from error_codes.*, refusing a code in both lists', () => {
    assert.deepEqual(loadConfig({}).agent.customerDeclineCodes, defaultAgentConfig.customerDeclineCodes);
    const config = loadConfig({ PAYOPS_ERROR_CODES_CUSTOMER: '[Z9, "51"]', PAYOPS_ERROR_CODES_TECHNICAL: '[U30]' });
    assert.deepEqual([config.agent.customerDeclineCodes, config.agent.technicalErrorCodes], [['Z9', '51'], ['U30']]);
    assert.deepEqual(problemsOf({ PAYOPS_ERROR_CODES_CUSTOMER: '[z9]', PAYOPS_ERROR_CODES_TECHNICAL: '[U30, Z9]' }), [
      'error_codes.technical: codes in both lists: Z9',
    ]);
    assert.ok(problemsOf({ PAYOPS_AGENT_CUSTOMER_DECLINE_CODES: '[Z9]' }).includes('agent.customer_decline_codes: unknown key'));
  });

  it('refuses a zero or negative cycle interval', () => {
    assert.ok(problemsOf({ PAYOPS_AGENT_CYCLE_INTERVAL: '0' }).some((line) => line.startsWith('agent.cycle_interval:')));
  });
});
