/**
 * undici: a Dispatcher interceptor attaches the token, renews it before it expires, and after a 401
 * fetches a new one and resends the request once.
 */
import { authInterceptor, clientCredentials, credentials } from '@tokenwarden/undici'
import { Agent, request } from 'undici'
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
const agent = new Agent().compose(authInterceptor('orders')) // or setGlobalDispatcher(agent)

try {
  const response = await request(`${idp.apiUrl}/orders`, { dispatcher: agent })
  console.log('GET /orders →', await response.body.json())

  idp.revokeTokens() // the API now answers 401 to that token…
  const again = await request(`${idp.apiUrl}/orders`, { dispatcher: agent }) // …so the interceptor gets a new one and resends
  await again.body.dump()
  console.log('after the API revoked the token →', again.statusCode)
} finally {
  await agent.close()
  await credentials.close()
  await idp.close()
}
