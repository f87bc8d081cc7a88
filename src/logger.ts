import pino, { type Logger } from 'pino';
import type { Config } from './config';

export function createLogger(logging: Config['logging']): Logger {
  return pino({
    level: logging.level,
    // Keys must never reach a log line.
    redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.key', 'auth.keys'], censor: '[redacted]' },
    ...(logging.format === 'text' ? { transport: { target: 'pino-pretty', options: { colorize: false } } } : {}),
  });
}
