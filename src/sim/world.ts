// The simulated world's fixed facts: who pays with what, through which gateways, and what each
// gateway loses on each issuer x method path. Kept by index, because every payment looks them up.
import { createPrng, cumulativeOf } from './prng';

export interface Weighted {
  name: string;
  weight: number;
}

export interface MethodProfile extends Weighted {
  medianAmountMinor: number;
  /** Added to the issuer's drifting health: net banking loses more payers on the bank's pages than UPI. */
  successOffset: number;
  /** The payer's own refusals on this method (insufficient funds, wrong PIN, declined by the customer). */
  declineCodes: readonly string[];
  /** Faults of the issuer, the method's switch or the gateway on this method. */
  technicalCodes: readonly string[];
}

export interface WorldProfile {
  seed: number;
  issuers: readonly Weighted[];
  methods: readonly MethodProfile[];
  /** The orchestrator's default split of payments between gateways. */
  gateways: readonly Weighted[];
  /** Largest success probability a gateway loses on one issuer x method path; each path's loss is drawn once from the seed. */
  gatewayMaxLossPoints: number;
}

export interface World {
  issuers: readonly Weighted[];
  methods: readonly MethodProfile[];
  gateways: readonly Weighted[];
  issuerCum: readonly number[];
  methodCum: readonly number[];
  gatewayCum: readonly number[];
  /** Success probability each path loses on its gateway, by pathIndex. */
  gatewayLoss: Float64Array;
}

/** Where one payment goes: indices into the world's issuers, methods and gateways. */
export interface Path {
  gateway: number;
  issuer: number;
  method: number;
}

/** Salt of the gateway-loss draws, so they do not repeat the drift's. */
const GATEWAY_LOSS_SALT = 0x27d4eb2f;

export const pathCount = (w: World): number => w.gateways.length * w.issuers.length * w.methods.length;

export const pathIndex = (w: World, p: Path): number => (p.gateway * w.issuers.length + p.issuer) * w.methods.length + p.method;

/** Calls `visit` for every path with its names, in pathIndex order. */
export function forEachPath(w: World, visit: (index: number, gateway: string, issuer: string, method: string) => void): void {
  let index = 0;
  for (const g of w.gateways) for (const i of w.issuers) for (const m of w.methods) visit(index++, g.name, i.name, m.name);
}

export function worldOf(p: WorldProfile): World {
  const draws = createPrng(p.seed ^ GATEWAY_LOSS_SALT);
  const gatewayLoss = new Float64Array(p.gateways.length * p.issuers.length * p.methods.length).map(() => draws.next() * p.gatewayMaxLossPoints);
  return {
    issuers: p.issuers,
    methods: p.methods,
    gateways: p.gateways,
    issuerCum: cumulativeOf(p.issuers.map((i) => i.weight)),
    methodCum: cumulativeOf(p.methods.map((m) => m.weight)),
    gatewayCum: cumulativeOf(p.gateways.map((g) => g.weight)),
    gatewayLoss,
  };
}
