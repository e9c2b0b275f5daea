import { Agent } from 'node:http'
import { authHooks } from '@tokenwarden/got'
import got, { type OptionsInit, type OptionsOfBufferResponseBody } from 'got'
import type { ClientDriver, TestBody, TestClient, TestRequest, TestResponse } from './types.ts'

/** Maps a suite body to got's body options (`json`, `form`, `body`). */
function bodyOptions(body: TestBody | undefined): Pick<OptionsInit, 'json' | 'body' | 'headers'> {
  if (body === undefined) return {}
  switch (body.kind) {
    case 'json':
      return { json: body.value }
    case 'urlsearchparams':
      // got's `form` takes a plain object only (repeated names would be lost) and `body` would
      // iterate URLSearchParams as pairs: send its serialisation, as a got user would.
      return { body: body.value.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
    case 'stream':
      return { body: body.value() }
    default:
      return { body: body.value }
  }
}

/** got extended with the hooks as the README shows; every status resolves, got's own retries off. */
export const gotDriver: ClientDriver = {
  name: 'got',
  create(credential, options, { connections } = {}): TestClient {
    const http = connections === undefined ? undefined : new Agent({ keepAlive: true, maxSockets: connections })
    const client = got.extend(authHooks(credential, options), {
      throwHttpErrors: false,
      retry: { limit: 0 },
      ...(http === undefined ? {} : { agent: { http } }),
    })
    return {
      async request(request: TestRequest): Promise<TestResponse> {
        const body = bodyOptions(request.body)
        const options: OptionsOfBufferResponseBody = {
          method: (request.method ?? (request.body === undefined ? 'GET' : 'POST')) as OptionsInit['method'],
          ...body,
          headers: { ...body.headers, ...request.headers },
          signal: request.signal,
          timeout: { request: request.timeoutMs },
          responseType: 'buffer',
        }
        const response = await client(request.url, options)
        const headers: Record<string, string> = {}
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
        }
        return { status: response.statusCode, headers, body: Buffer.from(response.body).toString('utf8') }
      },
      async close(): Promise<void> {
        http?.destroy()
      },
    }
  },
}
