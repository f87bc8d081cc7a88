import { ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './logger';
import { createService, serviceRoles, type ServiceRole } from './service';

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

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new requests, finishing in-flight commits');
    const forced = setTimeout(() => {
      logger.error('shutdown took longer than the grace period; exiting');
      process.exit(1);
    }, config.server.shutdown_grace_ms);
    forced.unref();
    service.close().then(
      () => {
        logger.info('shutdown complete');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`payops failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
