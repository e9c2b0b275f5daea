/**
 * A `command` source: the token is whatever a CLI prints (`gcloud auth print-access-token`,
 * `az account get-access-token -o json`). It runs without a shell, with standard input closed, and
 * is killed after `timeoutMs`; it runs again at each renewal.
 */
import { TokenManager } from '@tokenwarden/core'
import { command } from '@tokenwarden/core/node'
import { startLocalIdp } from './support/local-idp.ts'
import { printTokenScript } from './support/token-cli.ts'

const idp = await startLocalIdp() // an OpenID provider and an API on 127.0.0.1: use your own

const orders = new TokenManager({
  name: 'orders',
  source: command({
    command: process.execPath, // your CLI: 'gcloud', 'az', 'fly', 'vault', …
    args: ['-e', printTokenScript], // …and its arguments, e.g. ['auth', 'print-access-token']
    env: { ...process.env, TOKEN_URL: `${idp.issuer}/token`, CLIENT_ID: idp.clientId, CLIENT_SECRET: idp.clientSecret },
    parse: 'json', // the output is {"access_token": …, "expires_in": …}; 'text' for a bare token
    timeoutMs: 10_000,
  }),
  origins: [idp.apiUrl],
})

try {
  const token = await orders.getToken()
  console.log('token from the', token.source, 'source, expires', new Date(token.expiresAt ?? 0).toISOString())

  const response = await fetch(`${idp.apiUrl}/orders`, { headers: { authorization: token.authorization } })
  console.log('GET /orders →', response.status, await response.json())
} finally {
  await orders.close()
  await idp.close()
}
