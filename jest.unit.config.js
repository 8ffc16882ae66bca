/** Unit tests alone: pure logic, no shared Postgres or broker (`npm run test:unit`). */
const { projects } = require('./jest.config.js');

module.exports = { projects: projects.filter((p) => p.displayName === 'unit') };
