// Consecutive findings on one target are one incident with a lifecycle, not a fresh alarm per window.
import type { AgentConfig } from './config';
import { metricsFor } from './metrics';
import type { Incident, IncidentEvent, Pattern, WindowMetrics } from './types';

export const incidentKey = (p: Pick<Pattern, 'type' | 'target'>): string => `${p.type}|${p.target}`;

export interface IncidentUpdate {
  incidents: Record<string, Incident>;
  events: IncidentEvent[];
}

export function trackIncidents(
  incidents: Record<string, Incident>,
  patterns: readonly Pattern[],
  window: WindowMetrics,
  cycleNumber: number,
  config: AgentConfig,
): IncidentUpdate {
  const next: Record<string, Incident> = {};
  const events: IncidentEvent[] = [];
  const seen = new Set<string>();
  for (const pattern of patterns) {
    const key = incidentKey(pattern);
    seen.add(key);
    const open = incidents[key];
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
        };
    next[key] = incident;
    events.push({ type: open ? 'updated' : 'opened', incident });
  }
  for (const [key, open] of Object.entries(incidents)) {
    if (seen.has(key)) continue;
    // A window too thin to judge is no evidence of recovery: the incident waits.
    const judged = (metricsFor(window, open.target)?.volume ?? 0) >= config.minVolume;
    const quiet = { ...open, quietWindows: open.quietWindows + (judged ? 1 : 0) };
    if (quiet.quietWindows >= config.incidentResolveWindows) events.push({ type: 'resolved', incident: quiet });
    else next[key] = quiet;
  }
  return { incidents: next, events };
}

export function openIncidentTargets(incidents: Record<string, Incident>): Set<string> {
  return new Set(Object.values(incidents).map((incident) => incident.target));
}
