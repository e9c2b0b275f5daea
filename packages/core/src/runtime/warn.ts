/** The part of `process` read here; absent in browsers and in workerd without `nodejs_compat`. */
interface WarningHost {
  emitWarning?: (message: string, options: { code: string; detail?: string }) => void
}

/** A warning's stable code and an optional detail (never a secret). */
export interface WarningOptions {
  /** The warning's code, such as `TOKENWARDEN_LISTENER_ERROR`. */
  readonly code: string
  /** A short detail, such as an error's class name. */
  readonly detail?: string
}

/**
 * Reports a warning the way the runtime does: a process warning where there is `process.emitWarning`
 * (Node, Bun, Deno), else `console.warn` (browsers, workerd). Never throws, so reporting a failure
 * cannot fail the caller (a listener that throws in a browser must not fail `getToken`).
 */
export function warn(message: string, options: WarningOptions): void {
  try {
    const host = (globalThis as { process?: WarningHost }).process
    if (typeof host?.emitWarning === 'function') {
      host.emitWarning(message, options.detail === undefined ? { code: options.code } : { code: options.code, detail: options.detail })
      return
    }
    const detail = options.detail === undefined ? '' : ` (${options.detail})`
    globalThis.console?.warn?.(`(tokenwarden) [${options.code}] ${message}${detail}`)
  } catch {
    // Nowhere left to report it: the caller's work goes on.
  }
}
