import { createHash } from 'node:crypto'
import { type IncomingHttpHeaders, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request as a loopback server received it. */
export interface Received {
  readonly method: string
  readonly path: string
  readonly headers: IncomingHttpHeaders
  readonly authorization: string | undefined
  readonly body: Buffer
  /** sha256 of the body, hex. */
  readonly hash: string
}

/** Answers a received request. */
export type Responder = (request: Received, response: ServerResponse) => void

/** A loopback HTTP server that records every request it receives. */
export interface Loopback {
  readonly origin: string
  readonly requests: Received[]
  url(path?: string): string
  close(): Promise<void>
}

/** Answers 200 with the request's authorization and body hash as JSON. */
export const echo: Responder = (request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' })
  response.end(JSON.stringify({ path: request.path, authorization: request.authorization ?? null, hash: request.hash }))
}

/** Answers 401 with a Bearer challenge unless the request carries `Bearer <accepted()>`, else echoes. */
export function acceptOnly(accepted: () => string): Responder {
  return (request, response) => {
    if (request.authorization === `Bearer ${accepted()}`) return echo(request, response)
    response.writeHead(401, { 'www-authenticate': 'Bearer realm="test", error="invalid_token"', 'content-type': 'text/plain' })
    response.end('denied')
  }
}

/** Answers a redirect to `location` with `status`. */
export function redirectTo(location: string, status = 302): Responder {
  return (_request, response) => {
    response.writeHead(status, { location })
    response.end()
  }
}

/** Starts a server on 127.0.0.1, port 0; `respond` may route by `request.path`. */
export async function listen(respond: Responder = echo): Promise<Loopback> {
  const requests: Received[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const authorization = req.headers.authorization
      const received: Received = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        authorization,
        body,
        hash: createHash('sha256').update(body).digest('hex'),
      }
      requests.push(received)
      respond(received, res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`
  return {
    origin,
    requests,
    url: (path = '/') => `${origin}${path}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error === undefined ? resolve() : reject(error)))
      }),
  }
}

/** A multipart body with its boundary replaced by `BOUNDARY`, to compare two serialisations of one form. */
export function withoutBoundary(request: Received): string {
  const boundary = /boundary=("?)([^";]+)\1/i.exec(String(request.headers['content-type']))?.[2]
  if (boundary === undefined) throw new Error('not a multipart request')
  return request.body.toString('latin1').replaceAll(boundary, 'BOUNDARY')
}
