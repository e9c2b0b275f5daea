import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fixture, type Idp } from './oidc-provider.ts'

/** A loopback HTTP server for a test. */
export interface TestServer {
  readonly url: string
  readonly server: Server
  close(): Promise<void>
}

/** Starts `handler` on 127.0.0.1:0. */
export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Reads a request's body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** Answers with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

/**
 * A resource server that accepts a bearer token only when the fixture's introspection endpoint
 * says it is active (opaque tokens). Answers 200 with the introspection's `client_id` and `scope`.
 */
export async function startResourceServer(idp: Idp): Promise<TestServer> {
  const credentials = Buffer.from(`${fixture.resourceServer.clientId}:${fixture.resourceServer.clientSecret}`).toString('base64')
  return listen((req, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    if (token === undefined) return sendJson(res, 401, { error: 'invalid_token' })
    fetch(`${idp.issuer}/token/introspection`, {
      method: 'POST',
      headers: { authorization: `Basic ${credentials}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
    })
      .then((r) => r.json() as Promise<Record<string, unknown>>)
      .then((introspection) => {
        if (introspection.active !== true) return sendJson(res, 401, { error: 'invalid_token' })
        sendJson(res, 200, { client_id: introspection.client_id, scope: introspection.scope })
      })
      .catch(() => sendJson(res, 500, { error: 'introspection_failed' }))
  })
}

/** A token endpoint whose answers a test scripts, counting what it receives. */
export interface ScriptedEndpoint extends TestServer {
  /** `${url}/token`. */
  readonly tokenEndpoint: string
  /** The form bodies received, in order. */
  readonly requests: URLSearchParams[]
  /** Requests received and not yet answered (or dropped). */
  readonly inFlight: number
  /** The most requests ever in flight at once. */
  readonly maxInFlight: number
}

/** How a {@link ScriptedEndpoint} answers request number `call` (from 1). */
export type Script = (call: number, res: ServerResponse, req: IncomingMessage) => void | Promise<void>

/** Starts a loopback token endpoint that answers each POST with `script`. */
export async function scriptedEndpoint(script: Script): Promise<ScriptedEndpoint> {
  const requests: URLSearchParams[] = []
  let inFlight = 0
  let maxInFlight = 0
  const server = await listen((req, res) => {
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    let done = false
    const settle = (): void => {
      if (!done) inFlight--
      done = true
    }
    res.on('finish', settle)
    res.on('close', settle)
    readBody(req)
      .then((body) => {
        requests.push(new URLSearchParams(body))
        return script(requests.length, res, req)
      })
      .catch(() => res.destroy())
  })
  return {
    ...server,
    tokenEndpoint: `${server.url}/token`,
    requests,
    get inFlight() {
      return inFlight
    },
    get maxInFlight() {
      return maxInFlight
    },
  }
}
