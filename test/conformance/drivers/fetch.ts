import { Readable } from 'node:stream'
import { withAuth } from '@tokenwarden/fetch'
import { Agent, Dispatcher1Wrapper } from 'undici'
import type { ClientDriver, TestBody, TestClient, TestRequest, TestResponse } from './types.ts'

/** Maps a suite body to a fetch `body` (fetch sets the content type of forms itself). */
function encode(body: TestBody | undefined): { body?: BodyInit; contentType?: string; duplex?: 'half' } {
  switch (body?.kind) {
    case undefined:
      return {}
    case 'json':
      return { body: JSON.stringify(body.value), contentType: 'application/json' }
    case 'string':
      return { body: body.value }
    case 'buffer':
      return { body: new Uint8Array(body.value), contentType: 'application/octet-stream' }
    case 'urlsearchparams':
    case 'formdata':
      return { body: body.value }
    case 'stream':
      return { body: Readable.toWeb(body.value()) as ReadableStream, contentType: 'application/octet-stream', duplex: 'half' }
  }
}

/** The global fetch wrapped as the README shows: `fetch = withAuth(fetch, credential)`. */
export const fetchDriver: ClientDriver = {
  name: 'fetch',
  create(credential, options, { connections } = {}): TestClient {
    const authFetch = withAuth(fetch, credential, options)
    // Node's bundled fetch hands a dispatcher handlers of undici's older API: the wrapper converts them.
    const agent = connections === undefined ? undefined : new Agent({ connections })
    const dispatcher: { dispatcher?: Dispatcher1Wrapper } = agent === undefined ? {} : { dispatcher: new Dispatcher1Wrapper(agent) }
    return {
      async request(request: TestRequest): Promise<TestResponse> {
        const { body, contentType, duplex } = encode(request.body)
        const headers = new Headers(request.headers)
        if (contentType !== undefined && !headers.has('content-type')) headers.set('content-type', contentType)
        const method = request.method ?? (request.body === undefined ? 'GET' : 'POST')
        const timeout = request.timeoutMs === undefined ? undefined : AbortSignal.timeout(request.timeoutMs)
        const signal = timeout === undefined ? request.signal : AbortSignal.any([timeout, ...(request.signal ? [request.signal] : [])])
        const response = await authFetch(request.url, { method, headers, body, signal, duplex, ...dispatcher } as RequestInit)
        return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() }
      },
      async close(): Promise<void> {
        await agent?.close()
      },
    }
  },
}
