// ESLint for the whole repository: `npm run lint` (warnings fail it). Import boundaries at the end.
// Not type-aware: recommendedTypeChecked took 4x the CPU (43 s against 11 s here), and its promise rules found nothing.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Boundaries by ESLint's own no-restricted-imports: the layers are the `@app/<lib>` aliases, so matching import strings suffices (no plugin, no resolver).

// Features talk to one another through their index; base libraries import no feature.
const FEATURES = [
  'accounts',
  'agreements',
  'conversation',
  'cycles',
  'data-protection',
  'evidence',
  'history',
  'milestones',
  'notifications',
  'open-data',
  'outbox',
  'partnerships',
  'reorganisation',
  'search',
  'webhooks',
];
const BASE = ['config', 'database', 'domain', 'http', 'queue'];
const APPS = ['api', 'web', 'worker'];

// The only `@app/<lib>/<file>` paths outside tests. Add one here with the reason, or export it from the index.
const PUBLIC_SUBPATHS = [
  // An entity: another feature's entity names it in a TypeORM relation; the index would load that feature's services too.
  String.raw`@app/[a-z-]+/[a-z-]+\.entity`,
  // SQL fragments a feature supplies to another's statement (the cycle write embeds them): they import nothing heavy.
  '@app/webhooks/webhook-access',
  String.raw`@app/[a-z-]+/[a-z-]+\.fragment`,
];

const TESTS = ['**/*.spec.ts', '**/*.medium-spec.ts', '**/*.e2e-spec.ts', 'test/**'];

const pattern = (regex, message) => ({ regex, message });
const deepImport = pattern(
  `^(?!(?:${PUBLIC_SUBPATHS.join('|')})$)@app/[^/]+/`,
  'Import another library through its index (`@app/<lib>`); a deep path reaches its internals. Public sub-paths are listed in eslint.config.mjs.',
);
const commonPatterns = [
  deepImport,
  pattern('^@test/', 'Test support is for tests only.'),
  pattern(String.raw`^(\.\./)+[a-z-]+/src(/|$)|(^|/)(apps|libs)/`, 'A relative path that leaves its own app or library: import the library as `@app/<lib>`; nothing imports an app.'),
];
const restrict = (patterns, paths = []) => ['error', { paths, patterns: [...commonPatterns, ...patterns] }];
const atAlias = (names) => `^@app/(${names.join('|')})(/|$)`;

const boundaries = [
  ...FEATURES.map((name) => ({
    files: [`libs/${name}/src/**/*.ts`],
    ignores: TESTS,
    rules: { 'no-restricted-imports': restrict([pattern(atAlias([name]), 'A library imports its own files relatively; its alias goes through its index (a circle).')]) },
  })),
  ...BASE.filter((name) => name !== 'domain').map((name) => ({
    files: [`libs/${name}/src/**/*.ts`],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': restrict([
        pattern(atAlias([name]), 'A library imports its own files relatively; its alias goes through its index (a circle).'),
        pattern(atAlias(FEATURES), 'A base library (config, database, domain, http, queue) imports no feature: features import it.'),
      ]),
    },
  })),
  {
    files: ['libs/domain/src/**/*.ts'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': restrict(
        [
          pattern('^@app/', 'The domain imports no other library: it is the bottom layer.'),
          pattern('^(@nestjs|@nestjs-cls|nestjs-[a-z-]+|typeorm|pg|bullmq|ioredis)(/|$)', 'The domain is pure (xstate, zod, dates): no Nest, TypeORM, database or queue.'),
        ],
        [],
      ),
    },
  },
  ...APPS.map((name) => ({
    files: [`apps/${name}/src/**/*.ts`],
    ignores: TESTS,
    rules: { 'no-restricted-imports': restrict([]) },
  })),
  {
    // The all-in-one process composes the three apps: it alone imports them, and only their bootstraps.
    files: ['apps/all-in-one/src/**/*.ts'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            deepImport,
            pattern('^@test/', 'Test support is for tests only.'),
            pattern(String.raw`^\.\./(?!\.\./(api|web|worker)/src/bootstrap$)|(^|/)libs/`, 'Another app only through its bootstrap (`../../<app>/src/bootstrap`); libraries as `@app/<lib>`.'),
          ],
        },
      ],
    },
  },
];

export default defineConfig(
  {
    ignores: ['node_modules/', 'dist/', 'coverage/', 'test-output/', 'bench/results/', '.cocommission/', 'clients/typescript/schema.d.ts'],
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // The codebase's convention: a leading underscore names what is left out on purpose (`const { a: _a, ...rest }`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests and benchmarks cast freely to reach into responses and internals; typing each cast is churn for nothing.
    files: [...TESTS, 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // CommonJS scripts (start, demo, jest config): require is their module system.
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Node's ES module scripts (the test OpenID provider, run as a child process).
    files: ['test/**/*.mjs', 'scripts/**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['apps/web/static/**/*.mjs'],
    languageOptions: { globals: globals.browser },
  },
  ...boundaries,
);
