import { ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './logger';
import { createService, serviceRoles, type ServiceRole } from './service';
import { gracefulStop, stopOnSignals } from './shutdown';

function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const problem of err.problems) process.stderr.write(`config: ${problem}\n`);
    process.exit(2);
  }
}

/** `--role api,worker` or PAYOPS_ROLE=api: which parts this process runs (all by default). */
function rolesOrExit(): ServiceRole[] {
  const flag = process.argv.indexOf('--role');
  const value = flag >= 0 ? process.argv[flag + 1] : process.env.PAYOPS_ROLE;
  if (!value) return [...serviceRoles];
  const roles = value.split(',').map((role) => role.trim());
  const unknown = roles.filter((role) => !(serviceRoles as readonly string[]).includes(role));
  if (unknown.length || roles.length === 0) {
    process.stderr.write(`role: ${unknown.join(', ') || '(empty)'} is not one of ${serviceRoles.join(', ')}\n`);
    process.exit(2);
  }
  return roles as ServiceRole[];
}

async function main(): Promise<void> {
  const roles = rolesOrExit();
  const config = loadConfigOrExit();
  const logger = createLogger(config.logging);
  if (config.auth.mode === 'off') {
    logger.warn('AUTHENTICATION IS OFF (PAYOPS_AUTH=off): every request is trusted with every role. Never run this way outside local development.');
  } else if (config.auth.keys.length === 0) {
    logger.warn('no API keys configured: every authenticated route answers 401. Set PAYOPS_API_KEYS=key:role,... or auth.keys in the config file.');
  }
  const service = await createService(config, logger, { roles });
  logger.info({ roles }, 'payops started');
  await service.app.listen({ host: config.server.host, port: config.server.port });

  stopOnSignals(
    gracefulStop(
      config.server.shutdown_grace_ms,
      async (signal) => {
        logger.info({ signal }, 'shutting down: no new requests, finishing in-flight commits');
        await service.close();
        logger.info('shutdown complete');
      },
      {
        timedOut: () => logger.error('shutdown took longer than the grace period; exiting'),
        failed: (err) => logger.error({ err }, 'shutdown failed'),
      },
    ),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`payops failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
