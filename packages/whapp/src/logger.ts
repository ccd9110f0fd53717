import pino, { type Logger } from 'pino';

/**
 * Paths that may carry secrets anywhere Fife logs a message or document. Credentials never reach a
 * log line: a test greps the output for a known password.
 */
export const redactedPaths = [
  'password',
  '*.password',
  '*.*.password',
  'Auth-Password',
  '*.Auth-Password',
  '*.*.Auth-Password',
  'a1_hash',
  '*.a1_hash',
  'sip.password',
  '*.sip.password',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
];

export function createLogger(app: string, level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: app,
      level,
      base: { app, pid: process.pid },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
