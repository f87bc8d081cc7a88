import type { Database } from '../db/client';
import type { Transaction } from '../agent';
import { createPartitionGuard } from '../db/partitions';
import { insertTransactionBatch, insertTransactions, type Placement } from '../db/transactions';

export interface IngestResult {
  accepted: number;
  duplicates: number;
}

/** Where rows are placed: their window (late rows in their arrival's), its rollup, the dedup horizon (see insertTransactions). */
export interface IngestOptions extends Placement {
  /** Largest number of single POSTs committed by one statement. */
  groupCommitMaxItems: number;
  /** Statements in flight at once; further POSTs wait and join the next group. */
  groupCommitMaxInflight: number;
  /** Hours one partition of transactions covers (retention.partition_hours). */
  partitionHours: number;
}

interface Pending {
  row: Transaction;
  resolve(result: IngestResult): void;
  reject(err: unknown): void;
}

export interface Ingestor {
  ingestBatch(rows: readonly Transaction[]): Promise<IngestResult>;
  /** One transaction, committed together with the others that arrive meanwhile (group commit). */
  ingestOne(row: Transaction): Promise<IngestResult>;
  /** Resolves once every accepted single POST has been committed or refused. */
  drain(): Promise<void>;
  /** Single POSTs waiting for a group: what load shedding watches. */
  queued(): number;
}

export function createIngestor(db: Database, options: IngestOptions): Ingestor {
  let queue: Pending[] = [];
  let inflight = 0;
  let idle: (() => void)[] = [];
  const partitionsFor = createPartitionGuard(db, options.partitionHours, options.lateAfterSeconds);

  async function ingestBatch(rows: readonly Transaction[]): Promise<IngestResult> {
    await partitionsFor(rows);
    const accepted = await insertTransactionBatch(db, rows, options);
    return { accepted, duplicates: rows.length - accepted };
  }

  // No timer: a group is whatever arrived while the previous statements were running, so a
  // lone request is committed at once and a crowd shares one round trip.
  function flush(): void {
    while (queue.length > 0 && inflight < options.groupCommitMaxInflight) {
      const group = queue.slice(0, options.groupCommitMaxItems);
      queue = queue.slice(group.length);
      inflight += 1;
      void commitGroup(group).finally(() => {
        inflight -= 1;
        flush();
        if (inflight === 0 && queue.length === 0) {
          idle.forEach((resolve) => resolve());
          idle = [];
        }
      });
    }
  }

  async function commitGroup(group: Pending[]): Promise<void> {
    try {
      const rows = group.map((pending) => pending.row);
      await partitionsFor(rows);
      const unclaimed = new Set(await insertTransactions(db, rows, options));
      for (const pending of group) {
        // Two POSTs of the same id in one group: the first is the one stored.
        const isNew = unclaimed.delete(pending.row.id);
        pending.resolve({ accepted: isNew ? 1 : 0, duplicates: isNew ? 0 : 1 });
      }
    } catch (err) {
      group.forEach((pending) => pending.reject(err));
    }
  }

  return {
    ingestBatch,
    ingestOne(row) {
      return new Promise<IngestResult>((resolve, reject) => {
        queue.push({ row, resolve, reject });
        flush();
      });
    },
    queued: () => queue.length,
    drain() {
      if (inflight === 0 && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}
