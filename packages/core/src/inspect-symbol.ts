/** The key Node's `util.inspect` looks up for a custom rendering (`util.inspect.custom`). */
export const INSPECT: unique symbol = Symbol.for('nodejs.util.inspect.custom')
