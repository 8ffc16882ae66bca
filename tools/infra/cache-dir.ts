import { homedir } from 'node:os';
import { join } from 'node:path';

/** Outside the clone, so a fresh clone reuses what an earlier one fetched. */
export const cacheDir = (...parts: string[]): string =>
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'service-call-scheduler', ...parts);
