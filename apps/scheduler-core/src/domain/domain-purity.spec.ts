import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The decider stays plain TypeScript: no framework, no I/O, no clock, no random ids (STYLE.md). */
describe('scheduler-core domain purity', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') && !path.endsWith('.spec.ts') && !path.includes('/testing/') ? [path] : [];
    });
  const sources = files(__dirname).map((path) => ({ path, text: readFileSync(path, 'utf8') }));

  it('has sources to check', () => {
    expect(sources.length).toBeGreaterThan(3);
  });

  it.each([
    ['a framework or infrastructure import', /from ['"](@nestjs\/|typeorm|kafkajs|pg|undici|nestjs-pino|pino)/],
    ['a Node built-in import', /from ['"](node:)?(fs|net|http|https|crypto|child_process)['"]/],
    ['the clock', /Date\.now\(|new Date\(\s*\)/],
    ['random values', /Math\.random|randomUUID/],
  ])('contains no %s', (_what, pattern) => {
    expect(sources.filter((s) => pattern.test(s.text)).map((s) => s.path)).toEqual([]);
  });
});
