/**
 * Client credentials from an issuer URL: the manager discovers the token endpoint, gets a token,
 * serves it from memory, and renews it in the background before it expires.
 */
import { TokenManager, clientCredentials } from '@tokenwarden/core'
import { startLocalIdp } from './support/local-idp.ts'

const idp = await startLocalIdp() // an OpenID provider and an API on 127.0.0.1: use your own

const orders = await TokenManager.start({
  name: 'orders',
  source: clientCredentials({
    issuer: idp.issuer, // e.g. https://login.example.com/my-tenant
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    scope: 'api:read',
  }),
  origins: [idp.apiUrl],
}) // resolves once the first token is here

try {
  const token = await orders.getToken() // from memory: no request to the IdP
  console.log(String(token)) // the secret never prints: Token(Bearer [redacted], generation 1, …)
  console.log('granted scope:', token.scope.join(' '))

  const response = await fetch(`${idp.apiUrl}/orders`, { headers: { authorization: token.authorization } })
  console.log('GET /orders →', response.status, await response.json())
} finally {
  await orders.close()
  await idp.close()
}
