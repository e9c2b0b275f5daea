import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { BrowserProviderOption } from 'vitest/node'
import { defineConfig } from 'vitest/config'
import { CHROMIUM_INSTALL, chromiumPath } from './host/chromium.ts'

const chromium = chromiumPath()
const root = join(import.meta.dirname, '../..')
const tools = join(root, 'tools/chromium')
if (!existsSync(join(tools, 'node_modules/@vitest/browser-playwright'))) {
  throw new Error('vitest browser mode is not installed: run npm install --prefix tools/chromium --no-save --legacy-peer-deps')
}
// Browser mode must be the repository's vitest version exactly (its own packages pin it).
const version = (dir: string): string => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version
const [vitestVersion, browserVersion] = [version(join(root, 'node_modules/vitest')), version(join(tools, 'node_modules/@vitest/browser'))]
if (vitestVersion !== browserVersion) {
  throw new Error(`tools/chromium has @vitest/browser ${browserVersion} for vitest ${vitestVersion}: set @vitest/browser-playwright to ${vitestVersion} in tools/chromium/package.json and reinstall`)
}
if (!existsSync(chromium)) throw new Error(`chromium is not installed (looked for ${chromium}): ${CHROMIUM_INSTALL}`)
// Installed under tools/chromium (not the root install), without a vitest of its own: the
// provider finds the repository's vitest up the tree.
const { playwright } = (await import(
  pathToFileURL(createRequire(join(tools, 'package.json')).resolve('@vitest/browser-playwright')).href
)) as { playwright: (options: { launchOptions: { executablePath: string; args: string[] } }) => BrowserProviderOption }

/**
 * The portable suite in Chromium: the file Node, Bun and Deno run (vitest/portable.test.ts), in
 * vitest's browser mode on a page of its own origin, so that every call to the Node host is
 * cross-origin (the host answers CORS).
 */
export default defineConfig({
  root,
  resolve: { conditions: ['@tokenwarden/source'] },
  environments: { __vitest__: { resolve: { conditions: ['@tokenwarden/source'] } } },
  test: {
    include: ['test/runtimes/vitest/portable.test.ts'],
    globalSetup: ['test/runtimes/vitest/global-setup.ts'],
    experimental: { diagnostics: false },
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/setup/summary-reporter.ts'],
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({ launchOptions: { executablePath: chromium, args: ['--no-sandbox'] } }),
      instances: [{ browser: 'chromium' }],
    },
  },
})
