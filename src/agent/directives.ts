// What a gateway is told to do for an intervention in force: the one mapping the execute worker
// and the simulator's closed loop both apply.
import type { ActionType, Params } from './types';

export type DirectiveParams = Params;

/** Share of its target's traffic an intervention covers: all of it unless contained (see contain.ts). */
export const scopeShare = (params: DirectiveParams): number => (typeof params.trafficShare === 'number' ? params.trafficShare : 1);

/**
 * The intervention's parameters plus `trafficShare`, the share of the target's traffic the
 * directive applies to (its own scope, which an operator's approval may narrow further), and for
 * steering the `probeShare` that keeps flowing to the target so its recovery is seen: the
 * service's, or the larger one the agent asked for so a thin target still gives a judgement.
 */
export function directiveParams(action: ActionType, params: DirectiveParams, probeShare: number, approvedShare?: number): DirectiveParams {
  const share = Math.min(scopeShare(params), approvedShare ?? 1);
  if (action === 'SUPPRESS_ISSUER' || action === 'REROUTE_METHOD') {
    const asked = typeof params.probeShare === 'number' ? params.probeShare : 0;
    // Rounded so a gateway reads 0.2, not 1 - 0.8 = 0.19999999999999996.
    const probe = Number(Math.max(probeShare, asked, 1 - share).toFixed(6));
    return { ...params, trafficShare: 1 - probe, probeShare: probe };
  }
  return { ...params, trafficShare: share };
}
