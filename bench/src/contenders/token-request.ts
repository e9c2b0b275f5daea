import { Agent, request } from 'undici'
import type { WorldAddress } from '../world/protocol.ts'

/** What the token endpoint answered. */
export interface TokenAnswer {
  accessToken: string
  /** `Bearer`, or `DPoP` for a token bound to the key of the request's proof. */
  tokenType: string
  expiresIn: number
  refreshIn?: number | undefined
}

/** Token requests get a pool of their own, apart from the clients being measured. */
const tokenAgent = new Agent({ connections: 8 })

/**
 * Asks the world's token endpoint for a `client_credentials` token for `clientId`: for the hand-set
 * headers of the hot path, and for the contenders whose token fetching is user code (Azure's
 * `TokenCredential`, axios-auth-refresh's refresh function, the hand-written wrapper). With a DPoP
 * `proof` of a key, the token is bound to that key.
 */
export async function requestToken(world: WorldAddress, clientId: string, signal?: AbortSignal, proof?: string): Promise<TokenAnswer> {
  const res = await request(world.tokenUrl, {
    method: 'POST',
    dispatcher: tokenAgent,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(proof === undefined ? {} : { dpop: proof }) },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'bench' }).toString(),
    signal,
  })
  const body = (await res.body.json()) as { access_token?: string; token_type?: string; expires_in?: number; refresh_in?: number; error?: string }
  if (res.statusCode !== 200 || body.access_token === undefined) {
    throw new Error(`the token endpoint answered ${res.statusCode} ${body.error ?? ''}`)
  }
  return { accessToken: body.access_token, tokenType: body.token_type ?? 'Bearer', expiresIn: body.expires_in ?? 3600, refreshIn: body.refresh_in }
}
