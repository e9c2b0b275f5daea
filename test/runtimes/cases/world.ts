import { TokenManager, type TokenManagerOptions, clientCredentials } from '@tokenwarden/core'
import type { RuntimeHosts } from '../host/hosts.ts'
import type { ResourceRecord, WorldInfo, WorldLog } from '../host/world-log.ts'

/** A case's own world on the Node host (see `startWorldHost`): its client, its tokens, its logs. */
export interface World extends WorldInfo {
  readonly hosts: RuntimeHosts
  /** A URL of the world on origin `host`, e.g. `url('a', '/api/echo')`. */
  url(host: 'a' | 'b', path: string): string
  /** The token endpoint, on origin `a`. */
  readonly tokenEndpoint: string
  /** Makes every token issued so far invalid. */
  revoke(): Promise<void>
  /** Makes `publicKey` (a JWK) the key of the client's `private_key_jwt` assertions. */
  registerClientKey(publicKey: JsonWebKey): Promise<void>
  /** Everything the world saw so far. */
  log(): Promise<WorldLog>
  /**
   * A manager for the world's client (client credentials, `client_secret_basic`), its token allowed
   * on origin `a`, lazy; call `close()` when done.
   */
  manager(options?: Partial<TokenManagerOptions>): TokenManager
}

async function json<T>(response: Response): Promise<T> {
  if (!response.ok) throw new Error(`the host answered ${response.status} to ${response.url}`)
  return (await response.json()) as T
}

/** Opens a world of its own on the host. */
export async function openWorld(hosts: RuntimeHosts): Promise<World> {
  const info = await json<WorldInfo>(await fetch(`${hosts.a}/worlds`, { method: 'POST' }))
  const url = (host: 'a' | 'b', path: string): string => `${hosts[host]}/w/${info.id}${path}`
  const tokenEndpoint = url('a', '/token')
  return {
    ...info,
    hosts,
    url,
    tokenEndpoint,
    revoke: async () => {
      await json(await fetch(url('a', '/control/revoke'), { method: 'POST' }))
    },
    registerClientKey: async (publicKey) => {
      await json(await fetch(url('a', '/control/client-key'), { method: 'POST', body: JSON.stringify(publicKey) }))
    },
    log: async () => json<WorldLog>(await fetch(url('a', '/control/log'))),
    manager: (options = {}) =>
      new TokenManager({
        name: `runtime-${info.id}`,
        source: clientCredentials({ tokenEndpoint, clientId: info.clientId, clientSecret: info.clientSecret }),
        origins: [hosts.a],
        prefetch: 'lazy',
        ...options,
      }),
  }
}

/** `[status, bearer token]` of each request a world saw, in order: what most cases check. */
export function statusesAndTokens(requests: readonly ResourceRecord[]): [number, string | null][] {
  return requests.map((r) => [r.status, /^Bearer (.+)$/.exec(r.authorizations[0] ?? '')?.[1] ?? null])
}

/** Runs `fn` with a new manager of `world` (see {@link World.manager}), closed afterwards whatever happens. */
export async function withManager<T>(
  world: World,
  fn: (manager: TokenManager) => Promise<T>,
  options?: Partial<TokenManagerOptions>,
): Promise<T> {
  const manager = world.manager(options)
  try {
    return await fn(manager)
  } finally {
    await manager.close()
  }
}
