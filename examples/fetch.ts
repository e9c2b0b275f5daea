/**
 * fetch: a wrapper attaches the token, renews it before it expires, and after a 401 fetches a new
 * one and resends the request once.
 */
import { clientCredentials, credentials, withAuth } from '@tokenwarden/fetch'
import { startLocalIdp } from './support/local-idp.ts'

const idp = await startLocalIdp({ logApi: true }) // an OpenID provider and an API on 127.0.0.1: use your own

const orders = credentials.register('orders', {
  source: clientCredentials({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, scope: 'api:read' }),
  origins: [idp.apiUrl], // the token goes to this origin and nowhere else
})
// What happens behind the scenes, as it happens (a token shows its generation, never its secret):
orders.subscribe((event) => {
  if (event.type === 'updated') console.log(`  ${event.credential}: new token, generation ${event.token.generation} (${event.reason})`)
  if (event.type === 'invalidated') console.log(`  ${event.credential}: token generation ${event.token.generation} invalidated`)
})
const ordersFetch = withAuth(fetch, 'orders')

try {
  const response = await ordersFetch(`${idp.apiUrl}/orders`)
  console.log('GET /orders →', await response.json())

  idp.revokeTokens() // the API now answers 401 to that token…
  const again = await ordersFetch(`${idp.apiUrl}/orders`) // …so the wrapper gets a new one and resends
  await again.body?.cancel()
  console.log('after the API revoked the token →', again.status)
} finally {
  await credentials.close()
  await idp.close()
}
