import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = Pick<PinoLogger, 'debug' | 'info' | 'warn' | 'error' | 'child'>;

export interface LoggerOptions {
  /** Minimum level. Default `info`. */
  level?: string;
}

/** JSON lines on stdout, one object per event; never logs request bodies or tokens. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino({
    level: options.level ?? 'info',
    base: { service: 'junction' },
    redact: { paths: ['headers.authorization', 'headers.cookie', '*.authorization', '*.cookie'], censor: '[redacted]' },
  });
}

/** A logger that drops everything (tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
