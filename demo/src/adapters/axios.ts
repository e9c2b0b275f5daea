import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import { withAuth } from '@tokenwarden/axios'
import axios from 'axios'
import type { DemoClient } from './demo-client.ts'

/** An axios instance with the interceptor installed: `withAuth(axios.create(), credential)`. */
export function axiosClient(credential: string): DemoClient {
  const httpAgent = new HttpAgent({ keepAlive: true })
  const httpsAgent = new HttpsAgent({ keepAlive: true })
  const client = withAuth(axios.create({ httpAgent, httpsAgent, validateStatus: () => true }), credential)
  return {
    async get(url) {
      const response = await client.get(url)
      return response.status
    },
    async close() {
      httpAgent.destroy()
      httpsAgent.destroy()
    },
  }
}
