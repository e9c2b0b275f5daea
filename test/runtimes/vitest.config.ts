import { join } from 'node:path'
import { defineConfig } from 'vitest/config'

/**
 * The portable suite (cases/) in two projects: `portable` runs it as vitest tests in whichever
 * runtime runs vitest (Node, Bun, Deno; `vitest.browser.config.ts` runs the same file in Chromium),
 * `workerd` runs it through Miniflare from Node. The Node host's servers are started by the global
 * setup, or handed over by `npm run test:runtimes`.
 */
export default defineConfig({
  root: join(import.meta.dirname, '../..'),
  resolve: { conditions: ['@tokenwarden/source'] },
  ssr: { resolve: { conditions: ['@tokenwarden/source'] } },
  // The global setup (the Node host) is loaded in vitest's own environment.
  environments: { __vitest__: { resolve: { conditions: ['@tokenwarden/source'] } } },
  test: {
    globalSetup: ['test/runtimes/vitest/global-setup.ts'],
    isolate: true,
    experimental: { diagnostics: false },
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/setup/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'portable', include: ['test/runtimes/vitest/portable.test.ts'] } },
      { extends: true, test: { name: 'workerd', include: ['test/runtimes/workerd/workerd.test.ts'] } },
    ],
  },
})
