/**
 * pino with secrets redacted. wsguard never logs credentials on purpose (events carry none, URLs are
 * logged as pathnames), and these paths catch the rest: an app logging a request or a payload.
 */
import { pino, type Logger } from 'pino';

export const REDACT_PATHS = [
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
  'cookie', '*.cookie', 'headers.cookie', '*.headers.cookie', 'set-cookie', '*.headers["set-cookie"]',
  'headers["sec-websocket-protocol"]', '*.headers["sec-websocket-protocol"]',
  'token', '*.token', 'ticket', '*.ticket', 'secret', '*.secret', 'password', '*.password',
  'url', '*.url', 'query', '*.query',
];

export function createLogger(): Logger {
  return pino({ name: 'wsguard', level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}

/** The guard's own child logger; redaction applies to an injected logger as well. */
export function guardLogger(base: Logger | undefined): Logger {
  return (base ?? createLogger()).child({ component: 'wsguard' }, { redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}
