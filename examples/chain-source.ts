/**
 * A `chain` source: the first source that answers wins, as in "the variable in CI, else the secret
 * Kubernetes mounts, else the service's own client credentials". The token records which one it was.
 */
import { TokenManager, chain, clientCredentials, env } from '@tokenwarden/core'
import { file } from '@tokenwarden/core/node'
import { startLocalIdp } from './support/local-idp.ts'

const idp = await startLocalIdp() // an OpenID provider and an API on 127.0.0.1: use your own

const orders = new TokenManager({
  name: 'orders',
  source: chain([
    env('ORDERS_API_TOKEN'), // set in CI (not here)
    file({ path: '/run/secrets/orders-api-token' }), // mounted in a pod (not here)
    clientCredentials({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, scope: 'api:read' }),
  ]),
  origins: [idp.apiUrl],
})

try {
  const token = await orders.getToken()
  console.log('the token came from the', token.source, 'source')

  const response = await fetch(`${idp.apiUrl}/orders`, { headers: { authorization: token.authorization } })
  console.log('GET /orders →', response.status, await response.json())
} finally {
  await orders.close()
  await idp.close()
}
