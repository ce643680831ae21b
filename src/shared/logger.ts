/**
 * Structured logs (pino). Personal data never reaches a log line in clear: known fields
 * are redacted by path and any 13-digit run (a Thai national ID) in a message is masked.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { maskThaiIdsInText } from './personal-data.js';

export type { Logger };

export function createLogger(options: { level: string; pretty?: boolean; name?: string; destination?: DestinationStream }): Logger {
  const logger = pino({
    level: options.level,
    name: options.name ?? 'morprom',
    redact: {
      paths: [
        'nationalId',
        '*.nationalId',
        'passportNumber',
        '*.passportNumber',
        'idNumber',
        '*.idNumber',
        'phone',
        '*.phone',
        'headers.authorization',
        'req.headers.authorization',
      ],
      censor: '[redacted]',
    },
    hooks: {
      // Mask IDs that slipped into free text, e.g. an error message quoting user input.
      logMethod(args, method) {
        const masked = args.map((a) => (typeof a === 'string' ? maskThaiIdsInText(a) : a));
        return method.apply(this, masked as Parameters<typeof method>);
      },
    },
    formatters: {
      log(object) {
        const err = (object as { err?: unknown }).err;
        if (err instanceof Error && err.message) err.message = maskThaiIdsInText(err.message);
        return object;
      },
    },
    transport: options.pretty && !options.destination ? { target: 'pino-pretty', options: { colorize: true } } : undefined,
  }, options.destination);
  return logger;
}
