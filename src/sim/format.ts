// Console formatting shared by the demos: the original continuous-stream demo's per-cycle block.
import type { DimensionHealth, HealthStatus, NrvBreakdown } from '../agent';

export const RULE = '='.repeat(80);
const PERCENT = 100;
/** Paise per rupee: the simulated world is in INR. */
export const MINOR_PER_MAJOR = 100;

const MARK: Record<HealthStatus, string> = { HEALTHY: '✓', DEGRADED: '⚠', DOWN: '✗' };

export const pct = (x: number, digits = 2): string => `${(x * PERCENT).toFixed(digits)}%`;

/** An amount in minor units as major units with Indian digit grouping (the simulator pays in INR). */
export const inr = (minor: number): string => `₹${(minor / MINOR_PER_MAJOR).toLocaleString('en-IN', { maximumFractionDigits: 0 })}`;

/** `HDFC    : ✓ HEALTHY    | Success: 95.12% | Latency:   241ms | Retry: 0.80%` (latency is the window's p95). */
export const issuerLine = (h: DimensionHealth): string =>
  `${h.name.padEnd(8)}: ${MARK[h.status]} ${h.status.padEnd(10)} | Success: ${pct(h.successRate)} | Latency: ${h.latencyP95Ms.toFixed(0).padStart(5)}ms | Retry: ${pct(h.retryRate)}`;

export const nrvLine = (n: NrvBreakdown): string =>
  `NRV: ${n.nrv.toFixed(2)} (revenue recovered ${n.revenueRecovered.toFixed(2)} - cost ${n.interventionCost.toFixed(2)} - risk ${n.riskCost.toFixed(2)})`;

export interface BlockAction {
  action: string;
  target: string;
  status: string;
  nrv: NrvBreakdown;
  blastRadius: number;
}

export interface CycleBlock {
  cycle: number;
  elapsedSeconds: number;
  issuers: readonly DimensionHealth[];
  decision: string;
  reason: string;
  actions: readonly BlockAction[];
  approvalsWaiting: number;
}

/** One cycle as the continuous-stream demo prints it; README ("Demo output") pins this format. */
export function cycleBlock(b: CycleBlock): string {
  const lines = [RULE, `CYCLE ${b.cycle} - Elapsed: ${b.elapsedSeconds.toFixed(1)}s`, RULE, ...b.issuers.map(issuerLine), ''];
  lines.push(`Decision: ${b.decision} (${b.reason})`);
  if (b.actions.length === 0) lines.push('Action: none');
  for (const a of b.actions) {
    lines.push(`Action: ${a.action} on ${a.target} [${a.status}]`, nrvLine(a.nrv), `Blast Radius: ${a.blastRadius.toFixed(3)}`);
  }
  lines.push(`Approvals waiting: ${b.approvalsWaiting}`, RULE);
  return lines.join('\n');
}
