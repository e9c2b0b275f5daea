import { startEmbedded } from './embedded/index.ts'
import type { Target } from './options.ts'

/** Lifetime of the embedded IdP's access tokens, in seconds: short, so that the story sees them renewed. */
export const EMBEDDED_TOKEN_LIFETIME_SECONDS = 4

/** The IdP, client and API the story runs against. */
export interface World {
  /** One line on where the IdP and the API are. */
  readonly description: readonly string[]
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: string | undefined
  readonly scope: string | undefined
  /** The protected URL every request goes to. */
  readonly url: string
  /** Whole seconds tokens live, when the demo knows it (the embedded IdP). */
  readonly tokenLifetimeSeconds: number | undefined
  /** What the story may do behind the clients' backs: only with the embedded IdP and API. */
  readonly control: WorldControl | undefined
  close(): Promise<void>
}

/** Levers on the embedded IdP and API. */
export interface WorldControl {
  /** The API rejects, from now on, every token it has accepted so far. */
  revokeAll(): void
  /** The IdP answers every request with 503 (`true`) or works again (`false`). */
  setIdpDown(down: boolean): void
}

/** Starts the embedded IdP and API, or describes the real ones given. */
export async function openWorld(target: Target): Promise<World> {
  if (target.kind === 'remote') {
    return {
      ...target,
      description: [`IdP  ${target.issuer}`, `API  ${target.url}`],
      tokenLifetimeSeconds: undefined,
      control: undefined,
      close: async () => {},
    }
  }
  const { idp, api, close } = await startEmbedded({ tokenLifetime: EMBEDDED_TOKEN_LIFETIME_SECONDS })
  const url = `${api.url}/orders`
  return {
    description: [`IdP  ${idp.issuer} (oidc-provider, tokens live ${EMBEDDED_TOKEN_LIFETIME_SECONDS} s)`, `API  ${url}`],
    issuer: idp.issuer,
    clientId: idp.service.clientId,
    clientSecret: idp.service.clientSecret,
    scope: 'api:read',
    url,
    tokenLifetimeSeconds: EMBEDDED_TOKEN_LIFETIME_SECONDS,
    control: { revokeAll: () => api.revokeAll(), setIdpDown: (down) => idp.setDown(down) },
    close,
  }
}
