// What each action costs, risks, lasts and intrudes, read from config in one place.
import type { AgentConfig } from './config';
import type { ActionType } from './types';

export interface ActionProfile {
  cost: number;
  /** Share of touched traffic harmed when the hypothesis behind the action is wrong. */
  harmShare: number;
  priorEffectiveness: number;
  ttlSeconds: number;
  /** Lower is gentler; near-equal options go to the gentlest. */
  intrusiveness: number;
}

export function actionProfile(action: ActionType, config: AgentConfig): ActionProfile {
  switch (action) {
    case 'ALERT_OPS':
      return { cost: config.alertOpsCost, harmShare: 0, priorEffectiveness: config.alertOpsPriorEffectiveness, ttlSeconds: config.alertOpsTtlSeconds, intrusiveness: 0 };
    case 'REDUCE_RETRIES':
      return { cost: config.reduceRetriesCost, harmShare: config.reduceRetriesHarmShare, priorEffectiveness: config.reduceRetriesPriorEffectiveness, ttlSeconds: config.reduceRetriesTtlSeconds, intrusiveness: 1 };
    case 'REROUTE_METHOD':
      return { cost: config.rerouteMethodCost, harmShare: config.rerouteMethodHarmShare, priorEffectiveness: config.rerouteMethodPriorEffectiveness, ttlSeconds: config.rerouteMethodTtlSeconds, intrusiveness: 2 };
    case 'SUPPRESS_ISSUER':
      return { cost: config.suppressIssuerCost, harmShare: config.suppressIssuerHarmShare, priorEffectiveness: config.suppressIssuerPriorEffectiveness, ttlSeconds: config.suppressIssuerTtlSeconds, intrusiveness: 3 };
  }
}

/** Actions that change how traffic flows, as opposed to telling people. */
export const touchesTraffic = (action: ActionType): boolean => action !== 'ALERT_OPS';

/** Actions that send the target's attempts elsewhere: they succeed at the alternatives' rate there. */
export const movesTraffic = (action: ActionType): boolean => action === 'SUPPRESS_ISSUER' || action === 'REROUTE_METHOD';
