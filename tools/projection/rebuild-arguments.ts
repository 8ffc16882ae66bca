/** `npm run projection:rebuild -- [--keep-old] [--page-size N]` */
export interface RebuildArguments {
  readonly keepOld: boolean;
  readonly pageSize: number;
}

export const REBUILD_USAGE = 'usage: projection:rebuild [--keep-old] [--page-size <100..50000>]';

export class RebuildUsageError extends Error {
  override readonly name = 'RebuildUsageError';
}

export function parseRebuildArguments(argv: readonly string[]): RebuildArguments {
  let keepOld = false;
  let pageSize: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--keep-old' && !keepOld) keepOld = true;
    else if (arg === '--page-size' && pageSize === undefined) {
      const value = argv[++i];
      const n = Number(value);
      if (value === undefined || !/^\d+$/.test(value) || n < 100 || n > 50_000)
        throw new RebuildUsageError(`--page-size needs a whole number from 100 to 50000, got "${value ?? ''}"`);
      pageSize = n;
    } else
      throw new RebuildUsageError(
        arg === '--keep-old' || arg === '--page-size' ? `option ${arg} given twice` : `unknown argument "${arg}"`,
      );
  }
  return { keepOld, pageSize: pageSize ?? 5_000 };
}
