import type * as Http from 'node:http'
import { nodeBuiltin } from '../runtime/node-builtin.ts'

const NULL_BODY_STATUSES = new Set([204, 205, 304])

/**
 * A small `fetch` for requests to an authorization server whose socket never keeps the process
 * alive (it is `unref`'d): for requests a manager makes, since the manager itself holds the process
 * while a caller waits for the token, and lets it go when nobody does (a prefetch, a background
 * refresh). Rules: the whole answer is read; no redirect is followed (openid-client asks for
 * `redirect: 'manual'`); the request ends when `init.signal` aborts. A runtime without `node:http`
 * (browsers, workerd) sends with the global `fetch`: nothing there holds a process.
 */
export function unrefFetch(url: string, init: RequestInit): Promise<Response> {
  const target = new URL(url)
  // Looked up at each call, so that tools which patch `http.request` (msw, nock) see the request.
  const http = nodeBuiltin<typeof Http>(target.protocol === 'https:' ? 'node:https' : 'node:http')
  if (http === undefined) return globalThis.fetch(url, init)
  const send = http.request
  return new Promise((resolve, reject) => {
    const headers = new Headers(init.headers)
    const body = init.body === undefined || init.body === null ? undefined : String(init.body)
    if (init.body instanceof URLSearchParams && !headers.has('content-type')) {
      headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8')
    }
    if (body !== undefined) headers.set('content-length', String(new TextEncoder().encode(body).byteLength))
    const request = send(
      target,
      { method: init.method ?? 'GET', headers: Object.fromEntries(headers), signal: init.signal ?? undefined },
      (response) => {
        const chunks: Uint8Array[] = []
        response.on('data', (chunk: Uint8Array) => chunks.push(chunk))
        response.on('error', reject)
        response.on('end', () => {
          const status = response.statusCode ?? 0
          const answer = new Headers()
          const raw = response.rawHeaders
          for (let i = 0; i + 1 < raw.length; i += 2) answer.append(raw[i] as string, raw[i + 1] as string)
          try {
            resolve(
              new Response(NULL_BODY_STATUSES.has(status) ? null : new Blob(chunks as BlobPart[]), {
                status,
                statusText: response.statusMessage ?? '',
                headers: answer,
              }),
            )
          } catch (error) {
            reject(error)
          }
        })
      },
    )
    request.on('socket', (socket) => socket.unref?.())
    request.on('error', reject)
    request.end(body)
  })
}
