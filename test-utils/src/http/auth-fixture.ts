import { CredentialRegistry, type CredentialOptions, type TokenManager } from '@tokenwarden/core'
import { onTestFinished } from 'vitest'
import { type CountingSource, countingSource } from '../counting-source.ts'
import { ManualClock } from '../manual-clock.ts'
import { type ResourceServer, type ResourceServerOptions, startResourceServer } from './resource-server.ts'

/** Options of {@link authFixture}. */
export interface AuthFixtureOptions {
  /** Options of the main resource server. */
  server?: ResourceServerOptions
  /** Lifetime of each token, seconds. @default 3600 */
  expiresIn?: number
  /** Manager options over the fixture's (origins: the main server; prefetch: 'lazy'; the test clock). */
  manager?: Partial<CredentialOptions>
}

/** What most adapter and conformance tests start from. */
export interface AuthFixture {
  /** The credential's name in `registry`. */
  readonly name: string
  /** The resource server the credential's token may go to; it accepts every token `source` issues. */
  readonly server: ResourceServer
  /** Another loopback origin (no auth required) the token must never reach. */
  readonly other: ResourceServer
  readonly source: CountingSource
  readonly clock: ManualClock
  /** A registry of the test's own, so nothing leaks into the global `credentials`. */
  readonly registry: CredentialRegistry
  readonly manager: TokenManager
  /** Closes the registry (and so the manager) and both servers; done by itself when the test finishes. */
  close(): Promise<void>
}

/**
 * Starts two resource servers and registers credential `api` in a fresh registry: a counting
 * source, `origins: [server.origin]`, `prefetch: 'lazy'` (no token until a request needs one, no
 * timers) and a {@link ManualClock}. Everything is closed when the test finishes.
 */
export async function authFixture(options: AuthFixtureOptions = {}): Promise<AuthFixture> {
  const server = await startResourceServer(options.server)
  const other = await startResourceServer({ requireAuth: false })
  const source = countingSource({ expiresIn: options.expiresIn ?? 3600, onIssue: (token) => server.accept(token) })
  const clock = new ManualClock()
  const registry = new CredentialRegistry()
  const name = 'api'
  const origins = [server.origin]
  const manager = registry.register(name, { source, origins, prefetch: 'lazy', clock, ...options.manager })
  const close = async (): Promise<void> => {
    await registry.close()
    await Promise.all([server.close(), other.close()])
  }
  onTestFinished(close)
  return {
    name,
    server,
    other,
    source,
    clock,
    registry,
    manager,
    close,
  }
}
