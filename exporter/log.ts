/** Structured JSON logs (pino) on stderr, so stdout stays free for what a user asked to print. */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'ciliumscope-exporter' } }, pino.destination({ dest: 2, sync: false }));
}

export const silentLogger: Logger = pino({ level: 'silent' });
