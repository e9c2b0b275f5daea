import { startEmbedded } from '../../demo/src/embedded/index.ts'
import { deviceLogin } from './device-login.ts'

/**
 * What the examples run against, all on 127.0.0.1: the demo's OpenID provider (oidc-provider) and
 * an API that accepts its tokens. Replace these values with your own IdP's and API's.
 */
export interface LocalIdp {
  /** The issuer URL (OpenID Connect discovery). */
  readonly issuer: string
  /** A client allowed the client credentials grant. */
  readonly clientId: string
  readonly clientSecret: string
  /** The API's origin, `http://127.0.0.1:<port>`: any path answers 200 to a valid token, else 401. */
  readonly apiUrl: string
  /** The API rejects, from now on, every token it has accepted so far (as after a key rotation). */
  revokeTokens(): void
  /** Signs a user in with the device flow, as a CLI does: its public client and refresh token. */
  signIn(): Promise<{ clientId: string; refreshToken: string }>
  /** Stops both servers and closes every connection to them. */
  close(): Promise<void>
}

/** Options of {@link startLocalIdp}. */
export interface LocalIdpOptions {
  /** Lifetime of the access tokens, in seconds. @default 60 */
  tokenLifetime?: number
  /** Prints a line for each answer of the API (`  API: GET /orders → 401 (invalid_token)`) and revocation. */
  logApi?: boolean
}

/** Starts the local IdP and API. */
export async function startLocalIdp(options: LocalIdpOptions = {}): Promise<LocalIdp> {
  const log = options.logApi === true ? (line: string) => console.log(`  API: ${line}`) : () => {}
  const { idp, api, close } = await startEmbedded({
    tokenLifetime: options.tokenLifetime ?? 60,
    onApiAnswer: ({ method, path, status, error }) =>
      log(`${method} ${path} → ${status}${error === undefined ? '' : ` (${error})`}`),
  })
  return {
    issuer: idp.issuer,
    clientId: idp.service.clientId,
    clientSecret: idp.service.clientSecret,
    apiUrl: api.url,
    revokeTokens: () => {
      api.revokeAll()
      log('revoked every token it had accepted')
    },
    signIn: async () => ({ clientId: idp.cli.clientId, refreshToken: await deviceLogin(idp) }),
    close,
  }
}
