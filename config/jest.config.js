/* Three tiers (STYLE.md): unit specs beside the code, medium tests against real PostgreSQL and
 * Redis, e2e over HTTP. Medium and e2e share one throwaway database and queue prefix per run. */
const { join } = require('node:path');

const root = join(__dirname, '..');
const libs = [
  'config',
  'domain',
  'database',
  'history',
  'queue',
  'accounts',
  'partnerships',
  'cycles',
  'milestones',
  'notifications',
  'outbox',
  'webhooks',
  'agreements',
  'open-data',
  'data-protection',
  'conversation',
  'reorganisation',
  'http',
];
const moduleNameMapper = Object.fromEntries(
  libs
    .flatMap((lib) => [
      [`^@app/${lib}$`, `<rootDir>/libs/${lib}/src`],
      [`^@app/${lib}/(.*)$`, `<rootDir>/libs/${lib}/src/$1`],
    ])
    .concat([
      // Test builders live with the tests (imports run one way: tests → apps → libraries).
      ['^@test/support$', '<rootDir>/test/support'],
      ['^@test/support/(.*)$', '<rootDir>/test/support/$1'],
    ]),
);
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        target: 'es2022',
        keepClassNames: true,
      },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    },
  ],
};
// Packages published only as ES modules, which Node 20 loads with require() and Jest does not:
// compiled to CommonJS like our own code (content-disposition, under @fastify/static: the API's docs).
// openid-client 6 and what it stands on (jose, oauth4webapi) likewise.
const esmOnly = ['content-disposition', 'openid-client', 'oauth4webapi', 'jose'];
transform[`/node_modules/(.+/node_modules/)?(${esmOnly.join('|')})/.+\\.js$`] = ['@swc/jest', { module: { type: 'commonjs' } }];
const transformIgnorePatterns = [`/node_modules/(?!(.+/node_modules/)?(${esmOnly.join('|')})/)`];
const common = { rootDir: root, moduleNameMapper, transform, transformIgnorePatterns, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };
const withServices = {
  ...common,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/env.ts'],
};

module.exports = {
  rootDir: root,
  // A global option (not per project): real delays of milestones and workers need more than 5 s.
  testTimeout: 30000,
  // One suite at a time: the suites of a run share one database, whose outboxes (emails, webhook
  // deliveries) any suite's worker relays; two at once would take each other's messages.
  maxWorkers: 1,
  // Which runs them in Jest's own process: `npm test` gives it a 12 GB heap (what a hundred suites'
  // Nest apps leave behind crossed Node's default 4 GB; the machines have 24).
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/test/*.spec.ts'] },
    { ...withServices, displayName: 'medium', testMatch: ['<rootDir>/test/medium/**/*.medium-spec.ts'] },
    { ...withServices, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
};
