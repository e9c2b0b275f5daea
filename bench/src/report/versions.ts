import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The installed version of `name`, read from its package.json: found by walking up from the file
 * its main export resolves to, since not every package exports its package.json.
 */
export async function installedVersion(name: string): Promise<string> {
  let dir = dirname(fileURLToPath(import.meta.resolve(name)))
  for (;;) {
    try {
      const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string }
      if (manifest.name === name) return manifest.version ?? 'unknown'
    } catch {
      // no package.json at this level: keep walking up
    }
    const parent = dirname(dir)
    if (parent === dir) return 'unknown'
    dir = parent
  }
}

/** The versions of `names`, by name. */
export async function installedVersions(names: Iterable<string>): Promise<Record<string, string>> {
  const unique = [...new Set(names)].sort()
  const versions = await Promise.all(unique.map(installedVersion))
  return Object.fromEntries(unique.map((name, i) => [name, versions[i] as string]))
}
