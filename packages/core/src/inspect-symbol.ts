/**
 * The key Node's `util.inspect` looks up for a custom rendering (`util.inspect.custom`); Bun and
 * Deno honour it too. Read from the symbol registry, so no `node:util` import is needed.
 */
export const INSPECT: unique symbol = Symbol.for('nodejs.util.inspect.custom')

/**
 * The `inspect` function a custom rendering receives as its third argument (Node, Bun and Deno
 * pass their own), so a rendering can format nested values without importing `node:util`.
 */
export type Inspect = (value: unknown, options?: object) => string
