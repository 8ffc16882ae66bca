/**
 * The fault suite (DESIGN.md §9): every scenario starts its own Postgres, broker and the four
 * compiled apps, so it can kill and restart them. Scenarios run one at a time (they load the machine).
 */
const { transform, transformIgnorePatterns, moduleNameMapper } = require('./jest.config.js').projects[0];

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns,
  moduleNameMapper,
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/test/faults/**/*.faults-spec.ts'],
  testTimeout: 300_000,
  maxWorkers: 1,
};
