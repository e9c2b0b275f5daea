import { join } from 'node:path'
import { defineConfig } from 'vitest/config'

/**
 * The portable suite (cases/) as vitest runs it in Node, Bun and Deno; `vitest.browser.config.ts`
 * runs the same file in Chromium, `vitest.workerd.config.ts` the workerd runs. The Node host's
 * servers are started by the global setup (or handed over by `npm run test:runtimes`).
 */
export default defineConfig({
  root: join(import.meta.dirname, '../..'),
  resolve: { conditions: ['@tokenwarden/source'] },
  ssr: { resolve: { conditions: ['@tokenwarden/source'] } },
  // The global setup (the Node host) is loaded in vitest's own environment.
  environments: { __vitest__: { resolve: { conditions: ['@tokenwarden/source'] } } },
  test: {
    include: ['test/runtimes/vitest/portable.test.ts'],
    globalSetup: ['test/runtimes/vitest/global-setup.ts'],
    isolate: true,
    experimental: { diagnostics: false },
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/setup/summary-reporter.ts'],
  },
})
