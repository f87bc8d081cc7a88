// Stage 5: Net Revenue Value of an option.
//
//   NRV = V x H x T x (c x E x U)  -  C  -  V x H x T x (1 - c) x h x s
//         revenue recovered          cost  risk
//
// V attempts per window the option's subject carries, H horizon in windows (the configured
// horizon, capped by the option's TTL), T average ticket in major units, c the hypothesis's
// confidence, E the learned effectiveness of the action against this pattern (posterior mean),
// U the success-rate uplift available, C the action's fixed cost, h the share of touched traffic
// the action harms when the hypothesis is wrong and s the success rate that traffic would lose.
// For actions that leave traffic where it is, U is the recoverable gap (baseline minus observed)
// and s the observed success rate. For actions that move it (SUPPRESS_ISSUER, REROUTE_METHOD) the
// moved attempts succeed at the alternatives' rate a: U = max(0, a - observed) and
// s = max(0, observed - a), so moving a degraded target's traffic to better routes risks little.
// A baseline ALERT_OPS has V = 0, so NRV = -C = -5.
import type { AgentConfig } from './config';
import { actionProfile } from './actions';
import { effectivenessOf } from './learn';
import type { BetaPosterior, InterventionOption, NrvBreakdown, ValuedOption } from './types';

export function valueOption(
  option: InterventionOption,
  effectiveness: Record<string, BetaPosterior>,
  config: AgentConfig,
): NrvBreakdown {
  const profile = actionProfile(option.action, config);
  const horizonWindows = Math.min(config.horizonWindows, option.ttlSeconds / config.cycleIntervalSeconds);
  const E = effectivenessOf(effectiveness, option.action, option.patternType, config);
  const exposure = option.volume * horizonWindows * option.ticketValue;
  const revenueRecovered = exposure * option.confidence * E * option.upliftRate;
  const alternative = option.alternativeSuccessRate;
  const successAtRisk = alternative === null ? option.observedSuccessRate : Math.max(0, option.observedSuccessRate - alternative);
  const riskCost = exposure * (1 - option.confidence) * profile.harmShare * successAtRisk;
  return {
    volumePerWindow: option.volume,
    horizonWindows,
    upliftRate: option.upliftRate,
    ticketValue: option.ticketValue,
    effectiveness: E,
    confidence: option.confidence,
    revenueRecovered,
    interventionCost: profile.cost,
    riskCost,
    nrv: revenueRecovered - profile.cost - riskCost,
  };
}

export function valueOptions(
  options: readonly InterventionOption[],
  effectiveness: Record<string, BetaPosterior>,
  config: AgentConfig,
): ValuedOption[] {
  return options.map((option) => ({ ...option, nrv: valueOption(option, effectiveness, config) }));
}
