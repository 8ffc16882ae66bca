import { ConfigurationError } from './configuration-error';

/**
 * Starts an app; a configuration error (or an unreachable dependency at start) ends the process
 * with one clear line on stderr and exit code 1 instead of a stack trace or a silent hang.
 */
export function runApp(appName: string, start: () => Promise<void>): void {
  start().catch((error: unknown) => {
    const line =
      error instanceof ConfigurationError
        ? `${appName}: configuration error: ${error.message}`
        : `${appName}: failed to start: ${error instanceof Error ? error.message : String(error)}`;
    // One line is the contract; the stack only when asked for, to diagnose an unexpected failure.
    const detail =
      ['debug', 'trace'].includes(process.env.LOG_LEVEL ?? '') && error instanceof Error ? `\n${error.stack}` : '';
    process.stderr.write(`${line}${detail}\n`);
    process.exit(1);
  });
}
