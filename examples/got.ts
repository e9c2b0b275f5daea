/**
 * got: hooks attach the token, renew it before it expires, and after a 401 fetch a new one and
 * resend the request once.
 */
import { authHooks, clientCredentials, credentials } from '@tokenwarden/got'
import got from 'got'
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
const api = got.extend(authHooks('orders'), { prefixUrl: idp.apiUrl }) // or withAuth(got, 'orders')

try {
  console.log('GET /orders →', await api('orders').json())

  idp.revokeTokens() // the API now answers 401 to that token…
  const again = await api('orders') // …so the hooks get a new one and resend
  console.log('after the API revoked the token →', again.statusCode)
} finally {
  await credentials.close()
  await idp.close()
}
