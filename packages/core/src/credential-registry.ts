import { ErrorCode, TokenPolicyError, invalidOption } from './errors.ts'
import { TokenManager } from './token-manager.ts'
import type { TokenManagerOptions } from './token-manager-options.ts'

/** Options of {@link CredentialRegistry.register}: a manager's options; the name comes from `register`. */
export type CredentialOptions = Omit<TokenManagerOptions, 'name'>

/**
 * Named credentials, each a {@link TokenManager}. Adapters given a credential's name look it up here
 * (in {@link credentials} unless told otherwise), at each request, so a credential may be registered
 * after the adapter was created.
 */
export class CredentialRegistry {
  readonly #managers = new Map<string, TokenManager>()

  /**
   * Creates and keeps the manager of credential `name`.
   * @throws {@link ErrorCode.CREDENTIAL_EXISTS} when the name is taken; delete it first.
   */
  register(name: string, options: CredentialOptions): TokenManager {
    if (typeof name !== 'string' || name.length === 0) throw invalidOption('name', 'a non-empty string')
    if (this.#managers.has(name)) {
      throw new TokenPolicyError(ErrorCode.CREDENTIAL_EXISTS, `a credential named "${name}" is already registered`, {
        credential: name,
        transient: false,
      })
    }
    const manager = new TokenManager({ ...options, name })
    this.#managers.set(name, manager)
    return manager
  }

  /** The manager of credential `name`, if registered. */
  get(name: string): TokenManager | undefined {
    return this.#managers.get(name)
  }

  /** Whether credential `name` is registered. */
  has(name: string): boolean {
    return this.#managers.has(name)
  }

  /**
   * The manager of credential `name`, or `name` itself when it is a manager.
   * @throws {@link ErrorCode.UNKNOWN_CREDENTIAL} when no such credential is registered.
   */
  resolve(name: string | TokenManager): TokenManager {
    if (typeof name !== 'string') return name
    const manager = this.#managers.get(name)
    if (manager !== undefined) return manager
    throw new TokenPolicyError(ErrorCode.UNKNOWN_CREDENTIAL, `no credential named "${name}" is registered`, {
      credential: name,
      transient: false,
    })
  }

  /** The registered names. */
  names(): string[] {
    return [...this.#managers.keys()]
  }

  /** Closes and forgets credential `name`; resolves `false` when there was none. */
  async delete(name: string): Promise<boolean> {
    const manager = this.#managers.get(name)
    if (manager === undefined) return false
    this.#managers.delete(name)
    await manager.close()
    return true
  }

  /** Closes and forgets every credential. */
  async close(): Promise<void> {
    const managers = [...this.#managers.values()]
    this.#managers.clear()
    await Promise.all(managers.map((manager) => manager.close()))
  }
}

const GLOBAL_KEY = Symbol.for('tokenwarden.credentials')

/**
 * The default registry. It lives on `globalThis` under `Symbol.for('tokenwarden.credentials')`, so
 * every copy of `@tokenwarden/core` loaded in the process (and every adapter) shares it.
 *
 * @example
 * ```ts
 * credentials.register('graph', { source: clientCredentials({ … }), origins: ['https://graph.microsoft.com'] })
 * ```
 */
export const credentials: CredentialRegistry = ((globalThis as Record<symbol, unknown>)[GLOBAL_KEY] ??=
  new CredentialRegistry()) as CredentialRegistry
