// The agent core's boundary, checked by `npm run lint` (and tests/agent/boundary.test.ts, which
// also runs it on a deliberately bad fixture). Timers, fetch, the clock, randomness and process
// inside the core are ESLint's to catch (eslint.config.js): they need no import.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      severity: 'error',
      comment:
        'src/agent/ is pure and deterministic: it imports nothing outside itself, so no node:* module, no database, queue, ' +
        'HTTP or clock package, and nothing of the service.',
      from: { path: '^src/agent/' },
      to: { pathNot: '^src/agent/' },
    },
    {
      name: 'one-door-into-the-core',
      severity: 'error',
      comment:
        "Everything outside src/agent/ imports the core through src/agent/index.ts, its public surface. The core's own " +
        'tests (tests/agent/) may reach its internal modules, to test a stage on its own.',
      from: { pathNot: ['^src/agent/', '^tests/agent/'] },
      to: { path: '^src/agent/', pathNot: '^src/agent/index\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count too: a type from a private module is still a private door.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: ['^node_modules', '^dist/'] },
  },
};
