import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { requireTool } from '../host/tool-require.ts'

interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>
}

/**
 * Bundles `worker.ts` (the portable suite, core and fetch from source) into one ES module,
 * `<directory>/worker.mjs`, and answers its path (Miniflare resolves a worker's imports only from a
 * file). It is resolved as wrangler resolves a worker (`workerd`, `worker`, `browser` conditions);
 * `node:` imports are left as they are: workerd provides them with `nodejs_compat`, and refuses them
 * without it.
 */
export async function bundleWorker(directory: string): Promise<string> {
  const esbuild = requireTool<Esbuild>('workerd', 'esbuild')
  const result = await esbuild.build({
    entryPoints: [join(import.meta.dirname, 'worker.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2024',
    conditions: ['@tokenwarden/source', 'workerd', 'worker', 'browser'],
    external: ['node:*'],
    logLevel: 'silent',
  })
  const path = join(directory, 'worker.mjs')
  await writeFile(path, result.outputFiles[0]?.text ?? '')
  return path
}
