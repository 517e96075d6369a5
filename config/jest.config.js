/* Three tiers (STYLE.md): unit specs beside the code, medium tests against real PostgreSQL and
 * Redis, e2e over HTTP. Medium and e2e suites get a throwaway database and queue prefix per Jest worker. */
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
  'evidence',
  'search',
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
      // file-type exports Node's entry under the `import` and `module-sync` conditions only, which Jest's resolver does not take.
      ['^file-type$', '<rootDir>/node_modules/file-type/index.js'],
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
const esmOnly = ['content-disposition', 'openid-client', 'oauth4webapi', 'jose', 'file-type', 'strtok3', 'token-types', '@tokenizer/inflate', 'uint8array-extras', '@borewit/text-codec'];
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
  // Two suites at a time by default (TEST_WORKERS): the machines have two cores, and a suite spends
  // much of its time waiting on PostgreSQL, Redis, Chromium and real delays. Each worker has a database
  // and queue prefix of its own (global-setup), so no suite relays another's outbox or settles its jobs.
  maxWorkers: Number(process.env.TEST_WORKERS ?? 2),
  // A worker whose heap has grown past this (the Nest apps a suite leaves behind) is replaced before
  // its next suite, so memory stays bounded however many suites a run holds.
  workerIdleMemoryLimit: '2GB',
  // A worker still running a second after its last suite has a handle left open: the same second Jest
  // gives its own process in band before it says it did not exit (.ci/run fails on either).
  workerGracefulExitTimeout: 1000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/test/*.spec.ts'] },
    { ...withServices, displayName: 'medium', testMatch: ['<rootDir>/test/medium/**/*.medium-spec.ts'] },
    { ...withServices, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
};
