// Customer declines say nothing about an issuer's health; technical failures do. Codes not
// listed here count as technical, so an outage with unfamiliar codes is still seen.
import type { DimensionMetrics } from './types';

const CUSTOMER_DECLINE_CODES = new Set([
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
  // ISO 8583 response codes for the same customer-side declines.
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
]);

export function isCustomerDecline(code: string): boolean {
  return CUSTOMER_DECLINE_CODES.has(code.trim().toUpperCase());
}

export function customerDeclines(metrics: DimensionMetrics): number {
  let declines = 0;
  for (const [code, count] of Object.entries(metrics.errorCodeCounts)) {
    if (isCustomerDecline(code)) declines += count;
  }
  return declines;
}

/** Failures that are not customer declines, including failures without a code. */
export function technicalFailures(metrics: DimensionMetrics): number {
  return metrics.volume - metrics.successes - customerDeclines(metrics);
}
