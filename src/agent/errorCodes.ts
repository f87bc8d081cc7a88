// Customer declines say nothing about an issuer's health; technical failures do. The taxonomy is
// configuration (error_codes.customer, error_codes.technical). A code in neither list counts as
// technical, so an outage with unfamiliar codes is still seen, and is reported as unclassified.
import type { AgentConfig } from './config';
import type { DimensionMetrics } from './types';

export type ErrorTaxonomy = Pick<AgentConfig, 'customerDeclineCodes' | 'technicalErrorCodes'>;

/** Card declines by name and ISO 8583 response code, and NPCI UPI declines on the payer's side. */
export const DEFAULT_CUSTOMER_DECLINE_CODES: readonly string[] = [
  'INSUFFICIENT_FUNDS',
  'INVALID_PIN',
  'WRONG_PIN',
  'INCORRECT_PIN',
  'PIN_TRIES_EXCEEDED',
  'EXPIRED_CARD',
  'CARD_EXPIRED',
  'INVALID_CVV',
  'INCORRECT_CVV',
  'LIMIT_EXCEEDED',
  'AMOUNT_LIMIT_EXCEEDED',
  'DO_NOT_HONOR',
  'CARD_BLOCKED',
  'LOST_CARD',
  'STOLEN_CARD',
  'RESTRICTED_CARD',
  'INVALID_CARD',
  'INVALID_CARD_NUMBER',
  'FRAUD_SUSPECTED',
  'AUTHENTICATION_FAILED',
  'USER_CANCELLED',
  // ISO 8583: do not honour, invalid card, lost, stolen, insufficient funds, expired, wrong PIN,
  // not permitted, amount limit, frequency limit, PIN tries exceeded.
  '05',
  '14',
  '41',
  '43',
  '51',
  '54',
  '55',
  '57',
  '61',
  '65',
  '75',
  // NPCI UPI: insufficient funds, wrong MPIN, per-transaction limit, frequency limit, PIN tries
  // exceeded, declined by the customer, collect request expired unapproved.
  'Z9',
  'ZM',
  'Z8',
  'Z7',
  'Z6',
  'ZA',
  'U69',
];

/** Issuer, switch and gateway faults: ISO 8583, NPCI UPI and common gateway codes. */
export const DEFAULT_TECHNICAL_ERROR_CODES: readonly string[] = [
  'ISSUER_UNAVAILABLE',
  'GATEWAY_TIMEOUT',
  'GATEWAY_ERROR',
  'TIMEOUT',
  'SYSTEM_ERROR',
  'BANK_UNAVAILABLE',
  '91',
  '96',
  '68',
  '92',
  '06',
  '19',
  'U30',
  'U16',
  'U28',
  'U48',
  'U67',
  'U68',
  'U90',
  'U91',
  'XY',
  'YE',
  'ZE',
];

const normalise = (code: string): string => code.trim().toUpperCase();

/** Lookup sets per taxonomy, built once per config object (configs are immutable values). */
const sets = new WeakMap<ErrorTaxonomy, { customer: Set<string>; technical: Set<string> }>();
function setsOf(taxonomy: ErrorTaxonomy): { customer: Set<string>; technical: Set<string> } {
  let s = sets.get(taxonomy);
  if (!s) {
    s = { customer: new Set(taxonomy.customerDeclineCodes.map(normalise)), technical: new Set(taxonomy.technicalErrorCodes.map(normalise)) };
    sets.set(taxonomy, s);
  }
  return s;
}

export function isCustomerDecline(code: string, taxonomy: ErrorTaxonomy): boolean {
  return setsOf(taxonomy).customer.has(normalise(code));
}

export function customerDeclines(metrics: DimensionMetrics, taxonomy: ErrorTaxonomy): number {
  const { customer } = setsOf(taxonomy);
  const counts = metrics.errorCodeCounts;
  let declines = 0;
  // A plain key loop: this runs for every dimension of every window, and entries() allocates.
  for (const code in counts) {
    if (customer.has(code) || customer.has(normalise(code))) declines += counts[code] ?? 0;
  }
  return declines;
}

/** Failures that are not customer declines, including failures without a code. */
export function technicalFailures(metrics: DimensionMetrics, taxonomy: ErrorTaxonomy): number {
  return metrics.volume - metrics.successes - customerDeclines(metrics, taxonomy);
}

/** Counts of codes in neither list, so an operator can classify them. */
export function unclassifiedCodes(metrics: DimensionMetrics, taxonomy: ErrorTaxonomy): Record<string, number> {
  const { customer, technical } = setsOf(taxonomy);
  const out: Record<string, number> = {};
  for (const [code, count] of Object.entries(metrics.errorCodeCounts)) {
    const c = normalise(code);
    if (!customer.has(c) && !technical.has(c)) out[code] = count;
  }
  return out;
}
