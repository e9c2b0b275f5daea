import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import { withAuth } from '@tokenwarden/got'
import got from 'got'
import type { DemoClient } from './demo-client.ts'

/** got extended with the hooks: `withAuth(got, credential)`; got's own retries are off, so every failure shows. */
export function gotClient(credential: string): DemoClient {
  const agent = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) }
  const client = withAuth(got, credential).extend({ agent, retry: { limit: 0 }, throwHttpErrors: false })
  return {
    async get(url) {
      const response = await client(url)
      return response.statusCode
    },
    async close() {
      agent.http.destroy()
      agent.https.destroy()
    },
  }
}
