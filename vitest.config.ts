import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { conditions: ['@tokenwarden/source'] },
  ssr: { resolve: { conditions: ['@tokenwarden/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // The runtime matrix (`npm run test:runtimes`) has configs of its own.
    exclude: ['**/node_modules/**', 'test/runtimes/**'],
    setupFiles: ['./test/setup/unhandled-rejections.ts', './test/setup/oidc-provider-notices.ts'],
    // Each test file in a fresh worker: the default credential registry and the unhandled-rejection
    // listener are process-wide. Chosen here, so vitest prints no hint about it; no other hints either.
    isolate: true,
    experimental: { diagnostics: false },
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/setup/progress-reporter.ts', './test/setup/summary-reporter.ts'],
  },
})
