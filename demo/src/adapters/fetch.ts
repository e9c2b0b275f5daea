import { withAuth } from '@tokenwarden/fetch'
import type { DemoClient } from './demo-client.ts'

/** The global fetch, wrapped: `withAuth(fetch, credential)`. */
export function fetchClient(credential: string): DemoClient {
  const authFetch = withAuth(fetch, credential)
  return {
    async get(url) {
      const response = await authFetch(url)
      await response.text()
      return response.status
    },
    async close() {},
  }
}
