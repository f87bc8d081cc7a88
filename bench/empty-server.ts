import Fastify from 'fastify';

// The baseline for single ingestion: the same framework, JSON parsing and reply, and nothing else.
const app = Fastify();
app.post('/v1/transactions', async (_request, reply) => reply.code(202).send({ accepted: 1, duplicates: 0 }));
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening at ${url}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
