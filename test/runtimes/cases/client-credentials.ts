import { ErrorCode, TokenManager, clientCredentials, isTokenError } from '@tokenwarden/core'
import { checkEqual, rejectionOf } from './check.ts'
import type { RuntimeCase } from './runtime-case.ts'
import { type World, openWorld } from './world.ts'

/** Gets one token from `world` with a client credentials source built from `options`, then closes. */
async function oneToken(world: World, options: Parameters<typeof clientCredentials>[0]): Promise<string> {
  const manager = new TokenManager({ name: `cc-${world.id}`, source: clientCredentials(options), prefetch: 'lazy' })
  try {
    return (await manager.getToken()).accessToken
  } finally {
    await manager.close()
  }
}

/** The client credentials grant against the host's token endpoint, through openid-client. */
export const clientCredentialsCases: readonly RuntimeCase[] = [
  {
    name: 'client credentials with client_secret_basic get the endpoint’s token, scopes sent',
    run: async (hosts) => {
      const world = await openWorld(hosts)
      const token = await oneToken(world, { tokenEndpoint: world.tokenEndpoint, clientId: world.clientId, clientSecret: world.clientSecret, scope: ['read', 'write'] })
      checkEqual(token, `${world.id}-token-1`, 'access token')
      checkEqual((await world.log()).tokenRequests, [{ grantType: 'client_credentials', clientAuth: 'client_secret_basic', scope: 'read write', status: 200 }], 'token requests')
    },
  },
  {
    name: 'client credentials with client_secret_post',
    run: async (hosts) => {
      const world = await openWorld(hosts)
      const token = await oneToken(world, { tokenEndpoint: world.tokenEndpoint, clientId: world.clientId, clientSecret: world.clientSecret, clientAuth: 'client_secret_post' })
      checkEqual(token, `${world.id}-token-1`, 'access token')
      checkEqual((await world.log()).tokenRequests, [{ grantType: 'client_credentials', clientAuth: 'client_secret_post', scope: null, status: 200 }], 'token requests')
    },
  },
  {
    name: 'client credentials find the token endpoint in the issuer’s RFC 8414 metadata',
    run: async (hosts) => {
      const world = await openWorld(hosts)
      const token = await oneToken(world, { issuer: world.url('a', ''), discovery: 'oauth2', clientId: world.clientId, clientSecret: world.clientSecret })
      checkEqual(token, `${world.id}-token-1`, 'access token')
      checkEqual((await world.log()).tokenRequests.length, 1, 'token requests')
    },
  },
  {
    name: 'client credentials with private_key_jwt signed by a non-extractable Web Crypto key (ES256)',
    run: async (hosts) => {
      const world = await openWorld(hosts)
      const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair
      await world.registerClientKey(await crypto.subtle.exportKey('jwk', pair.publicKey))
      const token = await oneToken(world, { tokenEndpoint: world.tokenEndpoint, clientId: world.clientId, privateKey: pair.privateKey, alg: 'ES256' })
      checkEqual(token, `${world.id}-token-1`, 'access token')
      checkEqual((await world.log()).tokenRequests, [{ grantType: 'client_credentials', clientAuth: 'private_key_jwt', scope: null, status: 200 }], 'token requests')
    },
  },
  {
    name: 'a refused client secret fails at once with TOKEN_ENDPOINT_ERROR, not retried',
    run: async (hosts) => {
      const world = await openWorld(hosts)
      const manager = new TokenManager({
        name: `cc-${world.id}`,
        source: clientCredentials({ tokenEndpoint: world.tokenEndpoint, clientId: world.clientId, clientSecret: 'wrong-secret' }),
        prefetch: 'lazy',
      })
      try {
        const error = await rejectionOf(manager.getToken(), 'getToken with a wrong secret')
        checkEqual(isTokenError(error) ? [error.code, error.transient] : String(error), [ErrorCode.ENDPOINT_ERROR, false], '[code, transient]')
        checkEqual((await world.log()).tokenRequests.map((r) => r.status), [401], 'token request statuses')
      } finally {
        await manager.close()
      }
    },
  },
]
