/** The part of `process` read here; absent in browsers and in workerd without `nodejs_compat`. */
interface BuiltinHost {
  getBuiltinModule?: (id: string) => unknown
}

/**
 * Node's built-in module `id` (such as `'node:crypto'`) when the runtime hands it out without an
 * `import` (`process.getBuiltinModule`: Node ≥ 22.3, Bun, Deno, workerd with `nodejs_compat`), else
 * `undefined`. Core's main entry imports no `node:` module: it uses a built-in only as a faster or
 * synchronous path, and has a universal one for every runtime without it.
 */
export function nodeBuiltin<T>(id: string): T | undefined {
  const host = (globalThis as { process?: BuiltinHost }).process
  if (typeof host?.getBuiltinModule !== 'function') return undefined
  try {
    return (host.getBuiltinModule(id) as T | undefined) ?? undefined
  } catch {
    return undefined
  }
}
