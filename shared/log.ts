import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs on stderr, level from LOG_LEVEL; `silent` in tests unless asked. */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level }, pino.destination(2));
}

export const silentLogger: Logger = pino({ level: 'silent' });
