/**
 * Layering rules, checked by `npm run deps:check` (part of `npm test`). What a dependency graph
 * cannot see (a clock or random ids read inside the domain) is checked by
 * apps/scheduler-core/src/domain/domain-purity.spec.ts.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'The scheduler-core domain is plain TypeScript: no framework, database, broker or I/O (STYLE.md, habit 1).',
      severity: 'error',
      from: { path: '^apps/scheduler-core/src/domain/', pathNot: '\\.spec\\.ts$|/testing/' },
      to: {
        path: [
          'node_modules/(@nestjs/|typeorm/|kafkajs/|pg/|pg-[^/]+/|undici/|nestjs-pino/|pino/|pino-http/)',
          '^(node:)?(fs|net|http|https|crypto|child_process|dns|tls|dgram|worker_threads)$',
        ],
      },
    },
    {
      name: 'domain-imports-only-contracts',
      comment: 'Inside the repository the domain may use only itself and the shared contracts.',
      severity: 'error',
      from: { path: '^apps/scheduler-core/src/domain/', pathNot: '\\.spec\\.ts$|/testing/' },
      to: { path: '^(apps|libs)/', pathNot: ['^apps/scheduler-core/src/domain/', '^libs/common/src/contracts/'] },
    },
    {
      name: 'no-app-imports-another-app',
      comment: 'Apps talk only through topics: apps/X never imports apps/Y.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'common-imports-no-app',
      comment: 'libs/common is shared by every app and depends on none of them.',
      severity: 'error',
      from: { path: '^libs/common/' },
      to: { path: '^apps/' },
    },
    {
      name: 'gateway-services-below-http',
      comment:
        'In the gateway only controllers and request DTOs touch the HTTP layer (apps/gateway/src/http); the services below ' +
        'return outcomes or typed errors that the controller and the exception filter map to status codes (STYLE.md, habit 10).',
      severity: 'error',
      from: {
        path: '^apps/gateway/src/service-calls/[^/]+\\.ts$',
        pathNot: '\\.http\\.controller\\.ts$|\\.dto\\.ts$|\\.spec\\.ts$',
      },
      to: { path: '^apps/gateway/src/http/' },
    },
    {
      name: 'kafkajs-through-the-fixed-module',
      comment:
        'kafkajs is imported only through libs/common/src/messaging/kafkajs.ts, which applies the idle-timer fix ' +
        '(ADR-0012) before any client exists; a client built from kafkajs itself would poll every 1 ms.',
      severity: 'error',
      from: { pathNot: '^libs/common/src/messaging/kafkajs(-idle-timer-fix)?(\\.spec)?\\.ts$' },
      to: { path: 'node_modules/kafkajs/' },
    },
    {
      name: 'no-circular',
      comment: 'Modules form no import cycles.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      comment: 'Every import resolves (the @app/common alias through tsconfig.json).',
      severity: 'error',
      from: { pathNot: '^test/e2e/generated-client/' }, // its ./schema is generated when the e2e test runs
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|coverage|test-output)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['main', 'types', 'typings'],
    },
  },
};
