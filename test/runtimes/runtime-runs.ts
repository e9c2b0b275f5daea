import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CHROMIUM_INSTALL, chromiumPath } from './host/chromium.ts'
import { repoRoot } from './host/tool-require.ts'

/** One run of the matrix: a runtime, the command that runs the suite in it, and what it needs. */
export interface RuntimeRun {
  /** The name on the command line and in the summary (`node24`, `bun`, …). */
  readonly name: string
  /** Where the suite runs, for the summary. */
  readonly label: string
  /** The program and its arguments. */
  readonly command: readonly string[]
  /** The runtime's version: the program and arguments that print it, or the version itself. */
  readonly version: () => string | readonly string[]
  /** Why the run cannot start (a tool not installed), with how to fix that; undefined when it can. */
  readonly missing: () => string | undefined
}

const vitest = join(repoRoot, 'node_modules/vitest/vitest.mjs')
const config = join(repoRoot, 'test/runtimes/vitest.config.ts')
const portable = ['run', '--config', config, '--project', 'portable']
const tool = (name: string, binary: string): string => join(repoRoot, 'tools', name, 'node_modules/.bin', binary)
const installHint = (name: string): string => `run npm install --prefix tools/${name} --no-save --legacy-peer-deps`
const needs = (name: string, binary: string) => (): string | undefined =>
  existsSync(tool(name, binary)) ? undefined : `${binary} is not installed: ${installHint(name)}`
const packageVersion = (name: string, pkg: string): string =>
  (JSON.parse(readFileSync(join(repoRoot, 'tools', name, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version

/**
 * The matrix, in the order it runs (one at a time: CI machines have two cores). Node, Bun and Deno
 * run vitest themselves; workerd is driven from Node 24 through Miniflare, Chromium through
 * vitest's browser mode.
 */
export const runtimeRuns: readonly RuntimeRun[] = [
  {
    name: 'node24',
    label: 'Node 24',
    command: [process.execPath, vitest, ...portable],
    version: () => [process.execPath, '--version'],
    missing: () => undefined,
  },
  {
    name: 'node22',
    label: 'Node 22',
    command: [tool('node22', 'node'), vitest, ...portable],
    version: () => [tool('node22', 'node'), '--version'],
    missing: needs('node22', 'node'),
  },
  {
    name: 'bun',
    label: 'Bun',
    // Bun lacks what vitest's default forks pool needs (`child.channel.unref`): threads instead.
    command: [tool('bun', 'bun'), '--bun', vitest, ...portable, '--pool=threads'],
    version: () => [tool('bun', 'bun'), '--version'],
    missing: needs('bun', 'bun'),
  },
  {
    name: 'deno',
    label: 'Deno',
    command: [tool('deno', 'deno'), 'run', '-A', vitest, ...portable],
    version: () => [tool('deno', 'deno'), '--version'],
    missing: needs('deno', 'deno'),
  },
  {
    name: 'workerd',
    label: 'workerd (Miniflare), with and without nodejs_compat',
    command: [process.execPath, vitest, 'run', '--config', config, '--project', 'workerd'],
    version: () => `miniflare ${packageVersion('workerd', 'miniflare')}, workerd ${packageVersion('workerd', 'workerd')}`,
    missing: () => (existsSync(join(repoRoot, 'tools/workerd/node_modules/miniflare')) ? undefined : `Miniflare is not installed: ${installHint('workerd')}`),
  },
  {
    name: 'chromium',
    label: 'Chromium (vitest browser mode)',
    command: [process.execPath, vitest, 'run', '--config', join(repoRoot, 'test/runtimes/vitest.browser.config.ts')],
    version: () => [chromiumPath(), '--version'],
    missing: () =>
      !existsSync(chromiumPath())
        ? `chromium is not installed (looked for ${chromiumPath()}): ${CHROMIUM_INSTALL}`
        : !existsSync(join(repoRoot, 'tools/chromium/node_modules/@vitest/browser-playwright'))
          ? `vitest's browser mode is not installed: ${installHint('chromium')}`
          : undefined,
  },
]
