import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

/** The repository's root. */
export const repoRoot: string = join(import.meta.dirname, '../../..')

/**
 * Loads package `name` from `tools/<tool>`, a private install of its own (`npm install --prefix
 * tools/<tool>`), kept out of the root install because it is large. Throws, naming the command,
 * when that install is missing.
 */
export function requireTool<T>(tool: string, name: string): T {
  const manifest = join(repoRoot, 'tools', tool, 'package.json')
  if (!existsSync(join(repoRoot, 'tools', tool, 'node_modules', name))) {
    throw new Error(`${name} is not installed: run npm install --prefix tools/${tool} --no-save --legacy-peer-deps`)
  }
  return createRequire(manifest)(name) as T
}
