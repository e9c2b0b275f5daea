import { authInterceptor } from '@tokenwarden/undici'
import { Agent, request } from 'undici'
import type { DemoClient } from './demo-client.ts'

/** undici with the interceptor composed into its own Agent: `new Agent().compose(authInterceptor(credential))`. */
export function undiciClient(credential: string): DemoClient {
  const agent = new Agent().compose(authInterceptor(credential))
  return {
    async get(url) {
      const { statusCode, body } = await request(url, { dispatcher: agent })
      await body.text()
      return statusCode
    },
    close: () => agent.close(),
  }
}
