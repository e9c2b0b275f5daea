import { Readable } from 'node:stream'
import { authInterceptor } from '@tokenwarden/undici'
import { Agent, FormData, type Dispatcher, interceptors, request as undiciRequest } from 'undici'
import type { ClientDriver, TestBody, TestClient, TestRequest, TestResponse } from './types.ts'

/** Maps a suite body to what `undici.request` takes, as an undici user would write it. */
function encode(body: TestBody | undefined): { body?: Dispatcher.DispatchOptions['body']; contentType?: string } {
  switch (body?.kind) {
    case undefined:
      return {}
    case 'json':
      return { body: JSON.stringify(body.value), contentType: 'application/json' }
    case 'string':
      return { body: body.value, contentType: 'text/plain;charset=UTF-8' }
    case 'buffer':
      return { body: body.value, contentType: 'application/octet-stream' }
    case 'urlsearchparams':
      return { body: body.value.toString(), contentType: 'application/x-www-form-urlencoded;charset=UTF-8' }
    case 'formdata': {
      // undici's dispatch takes a FormData of its own package only.
      const form = new FormData()
      for (const [name, value] of body.value) form.append(name, value)
      return { body: form }
    }
    case 'stream':
      return { body: body.value() as Readable, contentType: 'application/octet-stream' }
  }
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return flat
}

/** An undici Agent composed as the README shows: the interceptor inside the redirect interceptor. */
export const undiciDriver: ClientDriver = {
  name: 'undici',
  create(credential, options, client = {}): TestClient {
    const agent = client.connections === undefined ? new Agent() : new Agent({ connections: client.connections })
    const dispatcher = agent.compose(authInterceptor(credential, options), interceptors.redirect({ maxRedirections: 5 }))
    return {
      async request(request: TestRequest): Promise<TestResponse> {
        const { body, contentType } = encode(request.body)
        const headers = { ...(contentType === undefined ? {} : { 'content-type': contentType }), ...request.headers }
        const method = (request.method ?? (request.body === undefined ? 'GET' : 'POST')) as Dispatcher.HttpMethod
        const { signal, timeoutMs: headersTimeout } = request
        const response = await undiciRequest(request.url, { dispatcher, method, headers, body, signal, headersTimeout })
        return { status: response.statusCode, headers: flatten(response.headers), body: await response.body.text() }
      },
      async close(): Promise<void> {
        await dispatcher.close()
      },
    }
  },
}
