/**
 * Subscribing to a credential's events: every new token and why it came, failed refreshes, and
 * more. For logs and metrics, or to hand each new token to something that is not an HTTP client.
 */
import { TokenManager, clientCredentials } from '@tokenwarden/core'
import { startLocalIdp } from './support/local-idp.ts'

const idp = await startLocalIdp({ tokenLifetime: 2 }) // tokens live 2 s here, so one is renewed soon

const orders = new TokenManager({
  name: 'orders',
  source: clientCredentials({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, scope: 'api:read' }),
  origins: [idp.apiUrl],
})

orders.subscribe((event) => {
  switch (event.type) {
    case 'updated':
      return console.log(`new token (${event.reason}): ${event.token}`)
    case 'refresh-failed':
      return console.log(`refresh failed, attempt ${event.attempt}; the token in hand is still served`)
    default:
      return console.log(event.type) // invalidated, store-failed, closed
  }
})

/** Resolves at the manager's next background renewal: `subscribe` returns the function that unsubscribes. */
function nextRenewal(manager: TokenManager): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribe = manager.subscribe((event) => {
      if (event.type !== 'updated' || event.reason !== 'proactive') return
      unsubscribe()
      resolve()
    })
  })
}

try {
  await orders.getToken() // new token (initial)
  await nextRenewal(orders) // new token (proactive), about 1.6 s later
} finally {
  await orders.close() // closed
  await idp.close()
}
