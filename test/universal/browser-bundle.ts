import { builtinModules } from 'node:module'
import { fileURLToPath } from 'node:url'
import { type RolldownLog, rolldown } from 'rolldown'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const ENTRY = '\0universal-entry'

/** What bundling some code for the browser gave: the script, and everything that points at Node. */
export interface BrowserBundle {
  /** An IIFE script that sets the global `tw` to the entry's exports. */
  readonly code: string
  /** Modules the bundle still imports (left external): none may be there for a browser. */
  readonly imports: readonly string[]
  /** Node built-ins some module imports, statically or dynamically, as the bundler reported them. */
  readonly nodeImports: readonly string[]
  /** Every warning the bundler logged. */
  readonly logs: readonly RolldownLog[]
  /** The rendered code of each bundled module of this repository's packages, by path. */
  readonly ownModules: ReadonlyMap<string, string>
}

const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)])
const isNodeBuiltin = (id: string): boolean => id.startsWith('node:') || NODE_BUILTINS.has(id)

/**
 * Bundles `source` (an ES module, resolved from the repository's root) for the browser, as a
 * bundler for a page would (rolldown, `platform: 'browser'`, the `browser` condition), the
 * workspace packages read from their sources. Every import of a Node built-in is recorded and left
 * out of the bundle.
 */
export async function bundleForBrowser(source: string): Promise<BrowserBundle> {
  const nodeImports: string[] = []
  const logs: RolldownLog[] = []
  const bundle = await rolldown({
    input: ENTRY,
    cwd: ROOT,
    platform: 'browser',
    resolve: { conditionNames: ['@tokenwarden/source', 'browser', 'import', 'default'] },
    logLevel: 'warn',
    onLog: (_level, log) => void logs.push(log),
    plugins: [
      {
        name: 'universal-entry',
        resolveId(id) {
          if (id === ENTRY) return ENTRY
          if (isNodeBuiltin(id)) {
            nodeImports.push(id)
            return { id, external: true }
          }
          return null
        },
        load(id) {
          return id === ENTRY ? source : null
        },
      },
    ],
  })
  try {
    const { output } = await bundle.generate({ format: 'iife', name: 'tw', minify: false })
    const [chunk] = output
    const ownModules = new Map<string, string>()
    for (const [id, module] of Object.entries(chunk.modules)) {
      if (id.startsWith(`${ROOT}packages/`) && module.code !== null) ownModules.set(id.slice(ROOT.length), module.code)
    }
    return { code: chunk.code, imports: [...chunk.imports, ...chunk.dynamicImports], nodeImports, logs, ownModules }
  } finally {
    await bundle.close()
  }
}
