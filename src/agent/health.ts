// Per-dimension health for consoles and the contract's SystemHealth: HEALTHY, DEGRADED or DOWN.
import type { AgentConfig } from './config';
import { retryRate, successRate } from './metrics';
import { SYSTEM_TARGET, gatewayTarget, issuerTarget, methodTarget } from './targets';
import type { DimensionMetrics, Pattern, WindowMetrics } from './types';

export type HealthStatus = 'HEALTHY' | 'DEGRADED' | 'DOWN';

export interface DimensionHealth {
  name: string;
  status: HealthStatus;
  successRate: number;
  latencyP95Ms: number;
  retryRate: number;
  volume: number;
}

export interface SystemHealth {
  issuers: DimensionHealth[];
  methods: DimensionHealth[];
  gateways: DimensionHealth[];
  system: DimensionHealth;
}

/** DOWN when the success rate fell as far as an outage, DEGRADED on any other finding. */
export function statusOf(target: string, patterns: readonly Pattern[], config: AgentConfig): HealthStatus {
  const mine = patterns.filter((p) => p.target === target);
  if (mine.some((p) => p.metric === 'successRate' && p.relativeChange >= config.outageRelativeDrop)) return 'DOWN';
  return mine.length > 0 ? 'DEGRADED' : 'HEALTHY';
}

function entry(name: string, target: string, m: DimensionMetrics, patterns: readonly Pattern[], config: AgentConfig): DimensionHealth {
  return {
    name,
    status: statusOf(target, patterns, config),
    successRate: successRate(m),
    latencyP95Ms: m.latencyP95Ms,
    retryRate: retryRate(m),
    volume: m.volume,
  };
}

export function systemHealth(window: WindowMetrics, patterns: readonly Pattern[], config: AgentConfig): SystemHealth {
  return {
    issuers: Object.entries(window.issuers).map(([name, m]) => entry(name, issuerTarget(name), m, patterns, config)),
    methods: Object.entries(window.methods).map(([name, m]) => entry(name, methodTarget(name), m, patterns, config)),
    gateways: Object.entries(window.gateways).map(([name, m]) => entry(name, gatewayTarget(name), m, patterns, config)),
    system: entry(SYSTEM_TARGET, SYSTEM_TARGET, window.system, patterns, config),
  };
}
