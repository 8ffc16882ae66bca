/**
 * A piece of infrastructure could not start. Its message is one line: what failed and what to do,
 * which is all a user sees unless LOG_LEVEL=debug asks for the stack.
 */
export class InfrastructureError extends Error {
  constructor(what: string, whatToDo: string, options?: { cause?: unknown }) {
    super(`${oneLine(what)}. ${oneLine(whatToDo)}`, options);
    this.name = 'InfrastructureError';
  }
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The line a command prints when it gives up: the message, or everything when LOG_LEVEL=debug. */
export function failureReport(error: unknown, env: NodeJS.ProcessEnv = process.env): string {
  if (env.LOG_LEVEL === 'debug' && error instanceof Error) return fullStack(error);
  return oneLine(error instanceof Error ? error.message : String(error));
}

function fullStack(error: Error): string {
  const cause = error.cause instanceof Error ? `\ncaused by: ${fullStack(error.cause)}` : '';
  return `${error.stack ?? error.message}${cause}`;
}
