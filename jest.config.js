/** One broker and one Postgres server for every suite (test/support/global-setup.ts); each suite gets its own database and topics. */
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  '/node_modules/@platformatic/.+\\.js$': '<rootDir>/test/support/esm-to-commonjs.js',
};
/** Packages that ship only ES modules, which Jest on Node 20 cannot require as they are. */
const transformIgnorePatterns = ['/node_modules/(?!@platformatic/)'];
const moduleNameMapper = { '^@app/common(|/.*)$': '<rootDir>/libs/common/src$1' };
const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns,
  moduleNameMapper,
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  testTimeout: 60_000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 2,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'] },
    { ...base, displayName: 'integration', testMatch: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
