import { z } from 'zod';
import type { Transaction } from '../agent';

// Postgres text cannot hold NUL, so a string with one would fail at commit instead of here.
const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((value) => !value.includes('\u0000'), 'must not contain NUL characters');

// Issuer and gateway codes are parts of target strings (`gateway:g/issuer:X`), so they may not
// hold the ':' or '/' that separate the parts: `HDFC/method:upi` must not parse as a cell.
const dimensionCode = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must match [A-Za-z0-9_.-]{1,64}: letters, digits, _ . - (no : or /)');

const isoCurrencies = new Set(Intl.supportedValuesOf('currency'));
const earliestEventTime = Date.parse('2000-01-01T00:00:00Z');

// One validator per field of the core's Transaction, with the type it must produce: a field added to
// the contract does not compile until it is validated here and stored (src/db/transactions.ts).
const transactionShape = {
  id: text(128).describe('Unique per attempt; the idempotency key'),
  timestamp: z.iso
    .datetime({ offset: true })
    .refine((value) => Date.parse(value) >= earliestEventTime, 'must not be before 2000-01-01')
    .describe('RFC 3339 date-time with offset: event time, which places the attempt in its window'),
  issuer: dimensionCode.describe('Issuing bank code, e.g. HDFC'),
  method: z
    .string()
    .regex(/^[a-z0-9_]{1,32}$/, 'must match [a-z0-9_]{1,32}')
    .describe('Payment method code, e.g. card, upi'),
  status: z.enum(['success', 'failed']),
  amountMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe('Amount in minor units'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be 3 upper-case letters')
    .refine((value) => isoCurrencies.has(value), 'is not an ISO 4217 currency code')
    .describe('ISO 4217 code'),
  latencyMs: z.number().min(0).describe('Authorisation round-trip time in milliseconds'),
  retryCount: z.number().int().min(0).max(2_147_483_647).describe('Attempts of the same payment before this one'),
  errorCode: text(64).nullable().optional().describe("The processor's decline or error code"),
  merchantId: text(128).optional(),
  gateway: dimensionCode.optional().describe('The acquirer or PSP the attempt went through, e.g. pg_a: a dimension the agent watches and routes by'),
} satisfies { [K in keyof Transaction]-?: z.ZodType<Transaction[K]> };

export const transactionSchema = z.object(transactionShape).strict().meta({ id: 'Transaction' });

export type TransactionInput = z.infer<typeof transactionSchema>;

export const batchSchema = z
  .object({ transactions: z.array(transactionSchema) })
  .strict()
  .meta({ id: 'TransactionBatch' });

export const ingestResultSchema = z
  .object({
    accepted: z.number().int().describe('Newly stored transactions'),
    duplicates: z.number().int().describe('Transactions whose id was already stored'),
  })
  .meta({ id: 'IngestResult' });

export const errorSchema = z
  .object({
    error: z.string().describe('Machine-readable error code'),
    message: z.string(),
    errors: z
      .array(
        z.object({
          index: z.number().int().optional().describe('Position of the item in the batch'),
          id: z.string().optional().describe('The id of the item, when it has one'),
          field: z.string(),
          reason: z.string(),
        }),
      )
      .optional(),
  })
  .meta({ id: 'Error' });
