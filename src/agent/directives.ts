// What a gateway is told to do for an intervention in force: the one mapping the execute worker
// and the simulator's closed loop both apply.
import type { ActionType } from './types';

export type DirectiveParams = Record<string, string | number | boolean>;

/**
 * The intervention's parameters plus `trafficShare`, the share of the target's traffic the
 * directive applies to (an operator's approval may narrow it), and for a suppression the
 * `probeShare` that keeps flowing to the issuer so its recovery is seen.
 */
export function directiveParams(action: ActionType, params: DirectiveParams, probeShare: number, approvedShare?: number): DirectiveParams {
  if (action === 'SUPPRESS_ISSUER') {
    const probe = Math.max(probeShare, 1 - (approvedShare ?? 1));
    return { ...params, trafficShare: 1 - probe, probeShare: probe };
  }
  return { ...params, trafficShare: approvedShare ?? 1 };
}
