import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, inject, it } from 'vitest'
import { runtimeCases } from '../cases/index.ts'
import { requireTool } from '../host/tool-require.ts'
import { bundleWorker } from './bundle-worker.ts'
import type { CaseRequest, CaseResult } from './worker.ts'

interface Miniflare {
  readonly ready: Promise<URL>
  dispatchFetch(url: string, init: { method: string; body: string }): Promise<{ json(): Promise<unknown> }>
  dispose(): Promise<void>
}
type MiniflareClass = new (options: Record<string, unknown>) => Miniflare

/**
 * Both workerd runs at compatibility date 2026-07-01: from 2026-08-04 on, `nodejs_compat` is on by
 * default, and only an earlier date without the flag proves that core and fetch need no `node:`
 * module, `Buffer` or `process`.
 */
const RUNS = [
  { name: 'workerd with nodejs_compat', compatibilityFlags: ['nodejs_compat'] },
  { name: 'workerd without nodejs_compat (the pure path)', compatibilityFlags: [] },
] as const

const hosts = inject('runtimeHosts')
let script: Promise<string>
let directory: string | undefined
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'tokenwarden-workerd-'))
  script = bundleWorker(directory)
})
afterAll(async () => {
  if (directory !== undefined) await rm(directory, { recursive: true, force: true })
})

describe.each(RUNS)('$name', ({ compatibilityFlags }) => {
  let worker: Promise<Miniflare>
  beforeAll(() => {
    const { Miniflare } = requireTool<{ Miniflare: MiniflareClass }>('workerd', 'miniflare')
    worker = script.then(async (bundled) => {
      const miniflare = new Miniflare({ modules: true, modulesRoot: dirname(bundled), scriptPath: bundled, compatibilityDate: '2026-07-01', compatibilityFlags })
      try {
        await miniflare.ready
      } catch (error) {
        // A worker that fails to load still has a workerd process to end. Its error is passed on
        // as a message: vitest would map Miniflare's stack through its large source map once per case.
        await miniflare.dispose().catch(() => {})
        throw new Error(`workerd did not load the worker: ${(error as Error).message}`)
      }
      return miniflare
    })
    // A worker that fails to load fails each case below with its error; none is left unhandled here.
    worker.catch(() => {})
  })
  afterAll(async () => {
    await worker.then((miniflare) => miniflare.dispose(), () => {})
  })

  for (const { name } of runtimeCases) {
    it(name, async () => {
      const miniflare = await worker
      const response = await miniflare.dispatchFetch('http://worker/', { method: 'POST', body: JSON.stringify({ name, hosts } satisfies CaseRequest) })
      const result = (await response.json()) as CaseResult
      if (result.runtime !== 'workerd') throw new Error(`expected to run in workerd, ran in ${result.runtime}`)
      if (result.error !== undefined) throw new Error(`in workerd: ${result.error}`)
      if (result.unhandled.length > 0) throw new Error(`unhandled rejection in workerd: ${result.unhandled.join('; ')}`)
    })
  }
})
