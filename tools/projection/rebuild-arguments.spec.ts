import { parseRebuildArguments, RebuildUsageError } from './rebuild-arguments';

describe('parseRebuildArguments', () => {
  it('defaults to dropping the old table, 5000 events a page', () => {
    expect(parseRebuildArguments([])).toEqual({ keepOld: false, pageSize: 5_000 });
    expect(parseRebuildArguments(['--keep-old', '--page-size', '1000'])).toEqual({ keepOld: true, pageSize: 1_000 });
  });

  it.each([
    [['--page-size'], /--page-size needs a whole number/],
    [['--page-size', '99'], /from 100 to 50000, got "99"/],
    [['--page-size', '1e4'], /got "1e4"/],
    [['--keep-old', '--keep-old'], /given twice/],
    [['--drop-everything'], /unknown argument "--drop-everything"/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseRebuildArguments(argv)).toThrow(RebuildUsageError);
    expect(() => parseRebuildArguments(argv)).toThrow(message);
  });
});
