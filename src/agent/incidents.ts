// Consecutive findings on one target are one incident with a lifecycle, not a fresh alarm per window.
import type { AgentConfig } from './config';
import { metricsFor } from './metrics';
import { parseTarget, scopeCovers } from './targets';
import type { Incident, IncidentEvent, Pattern, ResolvedIncident, WindowMetrics } from './types';

export const incidentKey = (p: Pick<Pattern, 'type' | 'target'>): string => `${p.type}|${p.target}`;

export interface IncidentUpdate {
  incidents: Record<string, Incident>;
  events: IncidentEvent[];
  /** Cycle each incident key last resolved in, and how often it had flapped, within the flap window. */
  resolved: Record<string, ResolvedIncident>;
}

/** The most a flapping target's quiet requirement grows: 2^5 = 32 resolve periods. */
const MAX_FLAP_DOUBLINGS = 5;

/**
 * Quiet windows an incident needs to resolve: double for every flap. A target that goes down 2
 * windows and up 3 stays one incident after its second flap, so its directive is not released and
 * re-issued every few minutes.
 */
const resolveWindows = (incident: Incident, config: AgentConfig): number => config.incidentResolveWindows * 2 ** Math.min(MAX_FLAP_DOUBLINGS, incident.flaps);

/**
 * An incident past `maxIncidentWindows` is a new normal, not an emergency: closed as a shift so the
 * baseline re-learns. An outage (success down by `outageRelativeDrop` or more) never is.
 */
const isOutage = (incident: Incident, config: AgentConfig): boolean =>
  incident.lastPattern.metric === 'successRate' && incident.lastPattern.relativeChange >= config.outageRelativeDrop;
const persistentShift = (incident: Incident, config: AgentConfig): boolean => incident.windowsSeen >= config.maxIncidentWindows && !isOutage(incident, config);

export function trackIncidents(
  incidents: Record<string, Incident>,
  resolvedBefore: Record<string, ResolvedIncident>,
  patterns: readonly Pattern[],
  pooledJudged: ReadonlySet<string>,
  window: WindowMetrics,
  cycleNumber: number,
  config: AgentConfig,
): IncidentUpdate {
  const next: Record<string, Incident> = {};
  const events: IncidentEvent[] = [];
  const resolved: Record<string, ResolvedIncident> = {};
  for (const [key, r] of Object.entries(resolvedBefore)) if (cycleNumber - r.cycle <= config.flapWindowWindows) resolved[key] = r;
  const seen = new Set<string>();
  for (const pattern of patterns) {
    const key = incidentKey(pattern);
    seen.add(key);
    const open = incidents[key];
    const before = resolved[key];
    const incident: Incident = open
      ? {
          ...open,
          lastSeenCycle: cycleNumber,
          windowsSeen: open.windowsSeen + 1,
          quietWindows: 0,
          peakZScore: Math.max(open.peakZScore, pattern.zScore),
          lastPattern: pattern,
        }
      : {
          id: `${key}|${cycleNumber}`,
          type: pattern.type,
          target: pattern.target,
          dimension: pattern.dimension,
          openedCycle: cycleNumber,
          openedAt: window.start,
          lastSeenCycle: cycleNumber,
          windowsSeen: 1,
          quietWindows: 0,
          peakZScore: pattern.zScore,
          lastPattern: pattern,
          flaps: before ? before.flaps + 1 : 0,
        };
    if (persistentShift(incident, config)) {
      events.push({ type: 'shifted', incident });
      continue;
    }
    next[key] = incident;
    events.push({ type: open ? 'updated' : 'opened', incident });
  }
  for (const [key, open] of Object.entries(incidents)) {
    if (seen.has(key)) continue;
    // A window too thin to judge is no evidence of recovery: the incident waits for enough attempts, pooled if need be.
    const judged = (metricsFor(window, open.target)?.volume ?? 0) >= config.minVolume || pooledJudged.has(open.target);
    const quiet = { ...open, quietWindows: open.quietWindows + (judged ? 1 : 0) };
    if (quiet.quietWindows >= resolveWindows(quiet, config)) {
      events.push({ type: 'resolved', incident: quiet });
      resolved[key] = { cycle: cycleNumber, flaps: quiet.flaps };
    } else next[key] = quiet;
  }
  // A shift accepted on a target is accepted on the narrower scopes inside it too (its cells share
  // the new level), except outages of their own.
  for (const shifted of events.filter((e) => e.type === 'shifted').map((e) => parseTarget(e.incident.target))) {
    for (const [key, open] of Object.entries(next)) {
      if (isOutage(open, config) || !scopeCovers(shifted, parseTarget(open.target))) continue;
      delete next[key];
      events.push({ type: 'shifted', incident: open });
    }
  }
  return { incidents: next, events, resolved };
}

export function openIncidentTargets(incidents: Record<string, Incident>): Set<string> {
  return new Set(Object.values(incidents).map((incident) => incident.target));
}
