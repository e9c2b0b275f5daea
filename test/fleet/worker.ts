// One "pod" of a fleet: a TokenManager for the credential `fleet`, its token from the parent's
// counting token endpoint (as client `pod-<n>`, so the endpoint knows who asks), shared with the other pods through a Redis store. The parent drives it
// over IPC: { op: 'get' | 'refresh' | 'reject' | 'close', id } → { id, token | error }.
import { TokenManager, clientCredentials } from '@tokenwarden/core'
import { redisStore } from '@tokenwarden/redis'
import { createClient } from 'redis'

const [tokenEndpoint, redisUrl, keyPrefix, lease, pod] = process.argv.slice(2) as [string, string, string, string, string]
const client = createClient({ url: redisUrl, disableOfflineQueue: true })
client.on('error', () => {})
await client.connect()
const store = redisStore({ client, keyPrefix, lease: Number(lease) })
const manager = new TokenManager({
  name: 'fleet',
  source: clientCredentials({ tokenEndpoint, clientId: `pod-${pod}`, clientSecret: 'fleet-secret', clientAuth: 'client_secret_post' }),
  store,
  prefetch: 'lazy',
})

interface Command {
  id: number
  op: 'get' | 'refresh' | 'reject' | 'close'
}

async function close(): Promise<void> {
  await manager.close()
  await store.close()
  client.destroy()
  process.disconnect()
}

process.on('message', (command: Command) => {
  if (command.op === 'close') return void close()
  const answer = async (): Promise<string> => {
    if (command.op === 'get') return (await manager.getToken()).accessToken
    if (command.op === 'refresh') return (await manager.refresh()).accessToken
    return (await manager.reacquire(manager.peek() ?? (await manager.getToken()))).accessToken
  }
  answer().then(
    (token) => process.send?.({ id: command.id, token }),
    (error: unknown) => process.send?.({ id: command.id, error: String((error as { code?: unknown }).code ?? error) }),
  )
})
process.send?.({ id: 0, ready: true })
