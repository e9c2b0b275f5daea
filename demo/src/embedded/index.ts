import { type ApiAnswer, type EmbeddedApi, startApi } from './api.ts'
import { type EmbeddedIdp, startIdp } from './idp.ts'

export type { ApiAnswer, EmbeddedApi } from './api.ts'
export type { EmbeddedIdp } from './idp.ts'

/** Options of {@link startEmbedded}. */
export interface EmbeddedOptions {
  /** Lifetime in whole seconds of every access token. @default 4 */
  tokenLifetime?: number | undefined
  /** Called with each answer of the API as it is sent. */
  onApiAnswer?: ((answer: ApiAnswer) => void) | undefined
}

/** An identity provider and an API that trusts it, both on 127.0.0.1. */
export interface Embedded {
  readonly idp: EmbeddedIdp
  readonly api: EmbeddedApi
  /** Closes both servers and every connection to them. */
  close(): Promise<void>
}

/** The identifier of the API: the default resource, so every access token is a JWT for it. */
export const API_AUDIENCE = 'urn:tokenwarden:demo-api'

/** Starts the embedded OpenID provider, then the API that trusts it. */
export async function startEmbedded(options: EmbeddedOptions = {}): Promise<Embedded> {
  const idp = await startIdp({ tokenLifetime: options.tokenLifetime ?? 4, audience: API_AUDIENCE })
  const api = await startApi({ issuer: idp.issuer, audience: API_AUDIENCE, onAnswer: options.onApiAnswer }).catch(async (error: unknown) => {
    await idp.close()
    throw error
  })
  return {
    idp,
    api,
    close: async () => {
      await Promise.all([api.close(), idp.close()])
    },
  }
}
