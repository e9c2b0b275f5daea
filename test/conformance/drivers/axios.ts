import { Agent } from 'node:http'
import { authInterceptor } from '@tokenwarden/axios'
import axios, { type AxiosRequestConfig } from 'axios'
import type { ClientDriver, TestBody, TestClient, TestRequest, TestResponse } from './types.ts'

/** Maps a suite body to axios's `data`: objects are sent as JSON, everything else as it is. */
function data(body: TestBody | undefined): unknown {
  if (body === undefined) return undefined
  return body.kind === 'stream' ? body.value() : body.value
}

function toTestResponse(status: number, headers: object, body: ArrayBuffer | Buffer): TestResponse {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && value !== null) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
  }
  return { status, headers: flat, body: Buffer.from(body as ArrayBuffer).toString('utf8') }
}

/** axios with the interceptor installed as the README shows; every status resolves. */
export const axiosDriver: ClientDriver = {
  name: 'axios',
  create(credential, options, { connections } = {}): TestClient {
    const httpAgent = connections === undefined ? undefined : new Agent({ keepAlive: true, maxSockets: connections })
    const client = axios.create({ validateStatus: () => true, responseType: 'arraybuffer', httpAgent })
    client.interceptors.request.use(authInterceptor(credential, options))
    return {
      async request(request: TestRequest): Promise<TestResponse> {
        const config: AxiosRequestConfig = {
          url: request.url,
          method: request.method ?? (request.body === undefined ? 'GET' : 'POST'),
          headers: { ...request.headers },
          data: data(request.body),
          signal: request.signal,
          timeout: request.timeoutMs,
        }
        const response = await client.request<ArrayBuffer>(config)
        return toTestResponse(response.status, response.headers, response.data)
      },
      async close(): Promise<void> {
        httpAgent?.destroy()
      },
    }
  },
}
