import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { conditions: ['@tokenwarden/source'] },
  ssr: { resolve: { conditions: ['@tokenwarden/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['./test/setup/unhandled-rejections.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/setup/summary-reporter.ts'],
  },
})
