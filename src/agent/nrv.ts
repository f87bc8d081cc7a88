// Stage 5: Net Revenue Value of an option: the expected outcome if acted on minus the expected
// outcome if not, per payment (first attempts, so retries are not counted twice), over the horizon,
// under the same model of the levers as the simulator.
//
//   NRV = P·H·T·c·E·(a − o)  +  H·c·E·R·(k − r·T)  −  C  −  P·H·T·(1 − c)·max(0, b − a)  −  H·(1 − c)·R·max(0, r·T − k)
//         moved payments         retries a cap stops     cost  risk of a move                  risk of a cap
//
// P payments per window the option touches, H horizon in windows (capped by the TTL), T the value
// of one payment (GMV, or the fee kept on the revenue basis), c the hypothesis's confidence, E the
// learned effectiveness, o the touched payments' observed success rate, a the rate a moved payment
// gets (routing: the other gateways' rate for the slice; steering: switch rate × the other
// instruments' rate), b their rate before the incident: with probability 1 − c the diagnosis is
// wrong and the moved payments lose what they had. R retried attempts per window a cap stops, r
// the share of retries that succeed, k the cost of one retry. An alert recovers nothing: NRV = −C.
import type { AgentConfig } from './config';
import { actionProfile, movesTraffic, steersPayers } from './actions';
import { effectivenessOf } from './learn';
import type { BetaPosterior, InterventionOption, NrvBreakdown, ValuedOption } from './types';

/**
 * Payments per window that would have succeeded where they were and will not once moved, with the
 * same random draw deciding both fates (as the simulator draws them): a routed payment is lost only
 * where the destination is worse; a steered one by every payer who leaves, and by switchers whose
 * new instrument is worse.
 */
export function turnedAwayRate(option: Pick<InterventionOption, 'action' | 'observedSuccessRate' | 'alternativeSuccessRate'>, config: AgentConfig): number {
  const o = option.observedSuccessRate;
  const a = option.alternativeSuccessRate ?? o;
  if (option.action === 'ROUTE_GATEWAY') return Math.max(0, o - a);
  if (!steersPayers(option.action)) return 0;
  const switchRate = config.customerSwitchRate;
  const switchersRate = switchRate > 0 ? a / switchRate : 0;
  return (1 - switchRate) * o + switchRate * Math.max(0, o - switchersRate);
}

export function valueOption(option: InterventionOption, effectiveness: Record<string, BetaPosterior>, config: AgentConfig): NrvBreakdown {
  const profile = actionProfile(option.action, config);
  const horizonWindows = Math.min(config.horizonWindows, option.ttlSeconds / config.cycleIntervalSeconds);
  const E = effectivenessOf(effectiveness, option.action, option.patternType, config);
  const c = option.confidence;
  const T = option.ticketValue;
  const exposure = option.volume * horizonWindows * T;
  let revenueRecovered = 0;
  let retryCostSaved = 0;
  let riskCost = 0;
  if (movesTraffic(option.action)) {
    const a = option.alternativeSuccessRate ?? option.observedSuccessRate;
    revenueRecovered = exposure * c * E * (a - option.observedSuccessRate);
    riskCost = exposure * (1 - c) * Math.max(0, option.baselineSuccessRate - a);
  } else if (option.action === 'REDUCE_RETRIES') {
    const stopped = option.retriesAvoided * horizonWindows;
    const lostPerRetry = option.retrySuccessRate * T;
    retryCostSaved = stopped * c * E * config.retryCost;
    revenueRecovered = -stopped * c * E * lostPerRetry;
    riskCost = stopped * (1 - c) * Math.max(0, lostPerRetry - config.retryCost);
  }
  const turnedAwayPerWindow =
    option.action === 'REDUCE_RETRIES' ? option.retriesAvoided * option.retrySuccessRate : option.volume * turnedAwayRate(option, config);
  return {
    volumePerWindow: option.volume,
    horizonWindows,
    upliftRate: option.upliftRate,
    ticketValue: T,
    currency: option.currency,
    effectiveness: E,
    confidence: c,
    revenueRecovered,
    retryCostSaved,
    interventionCost: profile.cost,
    riskCost,
    nrv: revenueRecovered + retryCostSaved - profile.cost - riskCost,
    turnedAwayPerWindow,
    turnedAwayValuePerWindow: turnedAwayPerWindow * T,
  };
}

export function valueOptions(options: readonly InterventionOption[], effectiveness: Record<string, BetaPosterior>, config: AgentConfig): ValuedOption[] {
  return options.map((option) => ({ ...option, nrv: valueOption(option, effectiveness, config) }));
}
