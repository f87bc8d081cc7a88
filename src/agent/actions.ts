// What each action costs, lasts and intrudes, read from config in one place.
import type { AgentConfig } from './config';
import type { ActionType } from './types';

export interface ActionProfile {
  cost: number;
  priorEffectiveness: number;
  ttlSeconds: number;
  /** Lower is gentler; near-equal options go to the gentlest. */
  intrusiveness: number;
}

export function actionProfile(action: ActionType, config: AgentConfig): ActionProfile {
  switch (action) {
    case 'ALERT_OPS':
      return { cost: config.alertOpsCost, priorEffectiveness: config.alertOpsPriorEffectiveness, ttlSeconds: config.alertOpsTtlSeconds, intrusiveness: 0 };
    case 'REDUCE_RETRIES':
      return {
        cost: config.reduceRetriesCost,
        priorEffectiveness: config.reduceRetriesPriorEffectiveness,
        ttlSeconds: config.reduceRetriesTtlSeconds,
        intrusiveness: 1,
      };
    case 'ROUTE_GATEWAY':
      return {
        cost: config.routeGatewayCost,
        priorEffectiveness: config.routeGatewayPriorEffectiveness,
        ttlSeconds: config.routeGatewayTtlSeconds,
        intrusiveness: 2,
      };
    case 'REROUTE_METHOD':
      return {
        cost: config.rerouteMethodCost,
        priorEffectiveness: config.rerouteMethodPriorEffectiveness,
        ttlSeconds: config.rerouteMethodTtlSeconds,
        intrusiveness: 3,
      };
    case 'SUPPRESS_ISSUER':
      return {
        cost: config.suppressIssuerCost,
        priorEffectiveness: config.suppressIssuerPriorEffectiveness,
        ttlSeconds: config.suppressIssuerTtlSeconds,
        intrusiveness: 4,
      };
  }
}

/** Actions that change how traffic flows, as opposed to telling people. */
export const touchesTraffic = (action: ActionType): boolean => action !== 'ALERT_OPS';

/** Checkout steering: the payer is told a bank or method is down; some switch instrument, the rest leave. */
export const steersPayers = (action: ActionType): boolean => action === 'SUPPRESS_ISSUER' || action === 'REROUTE_METHOD';

/** Actions that send the target's payments elsewhere: steering, or routing to other gateways. */
export const movesTraffic = (action: ActionType): boolean => steersPayers(action) || action === 'ROUTE_GATEWAY';

/** The blast radius an action may have and still run without an operator: routing has its own limit. */
export const autonomyLimitOf = (action: ActionType, config: AgentConfig): number =>
  action === 'ROUTE_GATEWAY' ? config.autonomyRouteShareLimit : config.autonomyBlastRadiusLimit;
