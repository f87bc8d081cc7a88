// ESLint, type-aware (typescript-eslint's recommended-type-checked), plus the agent core's purity
// rules. Formatting is Prettier's (`prettier --check .` in `npm run lint`), so no style rules here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** What the core may not reach for: it runs on the window's event time and the inputs it is given. */
const impure = 'the agent core (src/agent/) is pure and deterministic: time, randomness and I/O come in as arguments';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'migrations/', 'coverage/', '**/*.generated.ts', 'tests/fixtures/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Unused code is tsc's to refuse (noUnusedLocals, noUnusedParameters); `_`-prefixed names are deliberate.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Numbers and other primitives in template literals are how messages and reports are written here.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
      // Fastify hooks and handlers are async by contract, whether or not this one awaits.
      '@typescript-eslint/require-await': 'off',
      // node:test's test, it and describe return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
    },
  },
  {
    // Tests read HTTP and GraphQL answers as untyped JSON (supertest's body is `any`) and assert on them.
    files: ['tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { module: 'writable', require: 'readonly', process: 'readonly', console: 'readonly' } },
  },
  {
    // Any src/agent/, so the rules also apply to the bad fixture that shows they work (tests/agent/boundary.test.ts).
    files: ['**/src/agent/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'fetch', 'process', 'performance', 'crypto', 'require'].map((name) => ({
          name,
          message: impure,
        })),
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: impure },
        { object: 'Math', property: 'random', message: impure },
        { object: 'globalThis', message: impure },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: `new Date() reads the clock: ${impure}` },
        { selector: "CallExpression[callee.name='Date'][arguments.length=0]", message: `Date() reads the clock: ${impure}` },
        { selector: 'ImportExpression', message: `a dynamic import is I/O: ${impure}` },
      ],
    },
  },
);
