import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The decider reads no clock and makes no random ids (STYLE.md, habit 4): time and ids arrive on
 * the command. Its imports (no framework, database, broker or I/O) are checked by dependency-cruiser
 * (`npm run deps:check`, rules `domain-is-pure` and `domain-imports-only-contracts` in .dependency-cruiser.cjs).
 */
describe('scheduler-core domain purity', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory()
        ? files(path)
        : path.endsWith('.ts') && !path.endsWith('.spec.ts') && !path.includes('/testing/')
          ? [path]
          : [];
    });
  const sources = files(__dirname).map((path) => ({ path, text: readFileSync(path, 'utf8') }));

  it('has sources to check', () => {
    expect(sources.length).toBeGreaterThan(3);
  });

  it.each([
    ['the clock', /Date\.now\(|new Date\(\s*\)|performance\.now\(|process\.hrtime/],
    ['random values', /Math\.random|randomUUID|randomBytes|getRandomValues/],
  ])('reads no %s', (_what, pattern) => {
    expect(sources.filter((s) => pattern.test(s.text)).map((s) => s.path)).toEqual([]);
  });
});
