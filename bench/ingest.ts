import { createTestDatabase } from '../tests/support/database';
import { runProcess } from '../tests/support/process';
import { alternate, batchSize, checkpoint, ingestKey, measureBatchRatio, startService } from './batch-ratio';
import { postSingles, round } from './support';

const singleSeconds = Number(process.env.BENCH_SINGLE_SECONDS ?? 5);
// Each figure is the median of this many runs, the two sides of a ratio taking turns, so a
// checkpoint or a noisy neighbour in one run moves neither ratio much.
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const batches = Number(process.env.BENCH_BATCHES ?? 200);

async function hammerSingle(url: string, headers: Record<string, string>): Promise<number> {
  const result = await postSingles(url, headers, { connections, seconds: singleSeconds });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`single run had ${result.non2xx} non-2xx and ${result.errors} errors`);
  return result['2xx'] / result.duration;
}

async function main(): Promise<void> {
  const serviceDb = await createTestDatabase('bench_ingest');
  const copyDb = await createTestDatabase('bench_copy');
  const service = startService(serviceDb.url);
  const empty = runProcess({}, 'bench/empty-server.ts');
  try {
    const [serviceUrl, emptyUrl] = await Promise.all([service.listeningUrl(), empty.listeningUrl()]);

    // Batch first, so the service's table and the COPY's hold the same rows when each is timed.
    const { copyRps, batchTps } = await measureBatchRatio(serviceUrl, copyDb.url, batches, rounds);

    // The batch phase's dirty pages are written out now, not by a checkpoint in the middle of the single phase.
    await checkpoint(serviceDb.url);
    process.stdout.write(`single: ${connections} connections for ${singleSeconds}s; median of ${rounds} runs\n`);
    const [emptyRouteRps, singleTps] = await alternate(
      rounds,
      () => hammerSingle(emptyUrl, {}),
      () => hammerSingle(serviceUrl, { authorization: `Bearer ${ingestKey}` }),
    );
    process.stdout.write(`  empty Fastify POST route   ${emptyRouteRps.toFixed(0)} req/s\n`);
    process.stdout.write(
      `  POST /v1/transactions      ${singleTps.toFixed(0)} tx/s  (${((100 * singleTps) / emptyRouteRps).toFixed(1)}% of the empty route)\n`,
    );

    process.stdout.write(
      `${JSON.stringify({
        single_tps: round(singleTps),
        empty_route_rps: round(emptyRouteRps),
        single_ratio: round(singleTps / emptyRouteRps, 3),
        batch_tps: round(batchTps),
        copy_rps: round(copyRps),
        batch_ratio: round(batchTps / copyRps, 3),
        connections,
        batch_size: batchSize,
      })}\n`,
    );
  } finally {
    await Promise.all([service.stop(), empty.stop()]);
    await Promise.all([serviceDb.drop(), copyDb.drop()]);
  }
}

await main();
