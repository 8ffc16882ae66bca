/**
 * Jest's module loader cannot require ES modules on Node 20 (Node itself can, and the compiled apps
 * do). @platformatic/kafka and its own packages ship only ES modules, so under Jest they are
 * compiled to CommonJS with TypeScript's transpiler. What CommonJS has already goes: a module's own
 * `require` made with `createRequire(import.meta.url)`, and `import.meta.url` becomes the file's URL.
 * Tests only: the built apps load the packages as they are.
 */
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { pathToFileURL } = require('node:url');
const ts = require('typescript');

const OWN_REQUIRE = /\bconst require = createRequire\(import\.meta\.url\);/g;

module.exports = {
  process(source, path) {
    const commonJsReady = source
      .replace(OWN_REQUIRE, '')
      .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(path).href));
    const { outputText } = ts.transpileModule(commonJsReady, {
      fileName: path,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        allowJs: true,
        esModuleInterop: true,
      },
    });
    return { code: outputText };
  },
  getCacheKey(source, path) {
    return createHash('sha256').update(readFileSync(__filename)).update(path).update(source).digest('hex');
  },
};
