// One process of the demo's fleet: a TokenManager for the embedded IdP's service client, alone or
// sharing its token through Redis. Answers `{ id, op: 'get' | 'refresh' }` with the token requests
// it has made so far (`attempts`), and `{ op: 'close' }` by exiting.
import { TokenManager, clientCredentials } from '@tokenwarden/core'
import { redisStore } from '@tokenwarden/redis'
import { createClient } from 'redis'

const [issuer, clientId, clientSecret, scope, redisUrl, keyPrefix, mode] = process.argv.slice(2) as string[]
const client = mode === 'redis' ? createClient({ url: redisUrl, disableOfflineQueue: true }) : undefined
client?.on('error', () => {})
await client?.connect()
const store = client === undefined ? undefined : redisStore({ client, keyPrefix })
const manager = new TokenManager({
  name: 'demo-fleet',
  source: clientCredentials({ issuer: issuer as string, clientId: clientId as string, clientSecret, scope }),
  store,
  prefetch: 'lazy',
})

process.on('message', ({ id, op }: { id: number; op: 'get' | 'refresh' | 'close' }) => {
  if (op === 'close') {
    void manager
      .close()
      .then(() => store?.close())
      .finally(() => {
        client?.destroy()
        process.disconnect()
      })
    return
  }
  const run = op === 'get' ? manager.getToken() : manager.refresh()
  run.then(
    () => process.send?.({ id, attempts: manager.stats().attempts }),
    (error: unknown) => process.send?.({ id, error: String((error as { code?: unknown }).code ?? error) }),
  )
})
process.send?.({ id: 0 })
