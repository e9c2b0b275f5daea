import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type JWK, importJWK, jwtVerify } from 'jose'
import { answerCors } from './cors.ts'
import type { RuntimeHosts } from './hosts.ts'
import type { ResourceRecord, TokenRequestRecord, WorldInfo, WorldLog } from './world-log.ts'

/** The host of the runtime suite: two loopback origins serving the same worlds. */
export interface WorldHost {
  readonly hosts: RuntimeHosts
  /** Closes both servers. */
  close(): Promise<void>
}

interface World extends WorldInfo {
  issued: number
  /** The public key of the client's `private_key_jwt` assertions, once a case registered one. */
  clientKey: JWK | undefined
  readonly valid: Set<string>
  readonly requests: ResourceRecord[]
  readonly tokenRequests: TokenRequestRecord[]
}

const CHALLENGE = 'Bearer realm="runtimes", error="invalid_token"'

/**
 * Starts the host. Each test case asks `POST /worlds` for a world of its own (its client, tokens
 * and logs); a world's routes sit under `/w/<id>` on both origins:
 * - `POST /token`: the client credentials grant (`client_secret_basic`, `client_secret_post`, or
 *   `private_key_jwt` ES256 with the key `POST /control/client-key` registered, checked with jose),
 *   issuing `<id>-token-<n>`, valid on both origins until revoked, `expires_in` 3600;
 * - RFC 8414 metadata, whose issuer is the world's URL (so at
 *   `/.well-known/oauth-authorization-server/w/<id>`);
 * - `/api/…`: 401 with a `WWW-Authenticate` challenge without a valid bearer token, else a JSON echo;
 * - `/open/…`: the JSON echo, token or not;
 * - `/redirect?to=<url>&status=<3xx>`: redirects (307 by default);
 * - `POST /control/revoke` makes every token of the world invalid; `GET /control/log` answers the
 *   world's {@link WorldLog}.
 * Every answer carries CORS headers, so a browser page can call every route.
 */
export async function startWorldHost(): Promise<WorldHost> {
  const worlds = new Map<string, World>()
  let next = 0
  const servers: { origin: string; server: Server }[] = []
  for (const host of ['a', 'b'] as const) {
    const server = createServer((req, res) => {
      handle(host, req, res).catch((error: unknown) => res.destroy(error as Error))
    })
    await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, resolve))
    servers.push({ origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server })
  }

  const handle = async (host: 'a' | 'b', req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (answerCors(req, res)) return
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    const url = new URL(req.url ?? '/', 'http://host')
    if (req.method === 'POST' && url.pathname === '/worlds') {
      next += 1
      const world: World = { id: `w${next}`, clientId: `client-${next}`, clientSecret: `secret-${next}-s3cr3t`, issued: 0, clientKey: undefined, valid: new Set(), requests: [], tokenRequests: [] }
      worlds.set(world.id, world)
      sendJson(res, 201, { id: world.id, clientId: world.clientId, clientSecret: world.clientSecret } satisfies WorldInfo)
      return
    }
    // RFC 8414: the metadata of issuer `<origin>/w/<id>` is at `/.well-known/oauth-authorization-server/w/<id>`.
    const pathname = url.pathname.replace(/^(\/\.well-known\/oauth-authorization-server)(\/w\/[^/]+)$/, '$2$1')
    const match = /^\/w\/([^/]+)(\/.*)$/.exec(pathname)
    const world = match === null ? undefined : worlds.get(match[1] as string)
    if (match === null || world === undefined) {
      sendJson(res, 404, { error: 'no such world' })
      return
    }
    const route = match[2] as string
    const origin = servers[host === 'a' ? 0 : 1]?.origin as string
    if (route === '/token' && req.method === 'POST') return token(world, `${origin}/w/${world.id}`, req, body, res)
    if (route === '/control/client-key' && req.method === 'POST') {
      world.clientKey = JSON.parse(body) as JWK
      sendJson(res, 200, {})
      return
    }
    if (route === '/.well-known/oauth-authorization-server') {
      const issuer = `${origin}/w/${world.id}`
      sendJson(res, 200, { issuer, token_endpoint: `${issuer}/token`, grant_types_supported: ['client_credentials'] })
      return
    }
    if (route === '/control/revoke' && req.method === 'POST') {
      world.valid.clear()
      sendJson(res, 200, {})
      return
    }
    if (route === '/control/log') {
      sendJson(res, 200, { requests: world.requests, tokenRequests: world.tokenRequests } satisfies WorldLog)
      return
    }
    resource(host, world, route + url.search, req, body, res)
  }

  return {
    hosts: { a: servers[0]?.origin as string, b: servers[1]?.origin as string },
    close: async () => {
      await Promise.all(
        servers.map(({ server }) => {
          server.closeAllConnections()
          return new Promise<void>((resolve) => server.close(() => resolve()))
        }),
      )
    },
  }
}

/** The resource routes: `/api/…` (a valid token required), `/open/…` and `/redirect`. */
function resource(host: 'a' | 'b', world: World, path: string, req: IncomingMessage, body: string, res: ServerResponse): void {
  const raw = req.rawHeaders
  const authorizations = raw.filter((_, i) => i % 2 === 1 && raw[i - 1]?.toLowerCase() === 'authorization')
  const record = (status: number): ResourceRecord => {
    const entry = { host, method: req.method ?? 'GET', path, authorizations, body, contentType: req.headers['content-type'] ?? null, status }
    world.requests.push(entry)
    return entry
  }
  const url = new URL(path, 'http://host')
  if (url.pathname === '/redirect') {
    const status = Number(url.searchParams.get('status') ?? 307)
    record(status)
    res.writeHead(status, { location: url.searchParams.get('to') ?? '/' }).end()
    return
  }
  const token = /^Bearer (.+)$/.exec(authorizations[0] ?? '')?.[1]
  if (url.pathname.startsWith('/api/') && (token === undefined || !world.valid.has(token))) {
    record(401)
    res.writeHead(401, { 'www-authenticate': CHALLENGE, 'content-type': 'text/plain' }).end('unauthorized')
    return
  }
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/open/')) {
    sendJson(res, 200, record(200))
    return
  }
  record(404)
  sendJson(res, 404, { error: 'no such route' })
}

/** Whether `assertion` is the world's client's, signed with its registered key, for this issuer. */
async function validAssertion(world: World, issuer: string, assertion: string | null): Promise<boolean> {
  if (world.clientKey === undefined || assertion === null) return false
  const key = await importJWK(world.clientKey, 'ES256')
  const audience = [issuer, `${issuer}/token`]
  return jwtVerify(assertion, key, { issuer: world.clientId, subject: world.clientId, audience }).then(
    () => true,
    () => false,
  )
}

/** The token endpoint: the client credentials grant, the client authenticated by its secret or key. */
async function token(world: World, issuer: string, req: IncomingMessage, body: string, res: ServerResponse): Promise<void> {
  const form = new URLSearchParams(body)
  const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1]
  let clientAuth = 'none'
  let client: [string | null, string | null] = [form.get('client_id'), null]
  if (basic !== undefined) {
    clientAuth = 'client_secret_basic'
    const [id = '', secret = ''] = Buffer.from(basic, 'base64').toString('utf8').split(':')
    client = [decodeURIComponent(id), decodeURIComponent(secret)]
  } else if (form.has('client_secret')) {
    clientAuth = 'client_secret_post'
    client = [form.get('client_id'), form.get('client_secret')]
  } else if (form.get('client_assertion_type') === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
    clientAuth = 'private_key_jwt'
    const valid = await validAssertion(world, issuer, form.get('client_assertion'))
    client = valid ? [world.clientId, world.clientSecret] : [null, null]
  }
  const grantType = form.get('grant_type')
  const scope = form.get('scope')
  const answer = (status: number, json: unknown): void => {
    world.tokenRequests.push({ grantType, clientAuth, scope, status })
    sendJson(res, status, json, { 'cache-control': 'no-store' })
  }
  if (client[0] !== world.clientId || client[1] !== world.clientSecret) {
    answer(401, { error: 'invalid_client', error_description: 'client authentication failed' })
    return
  }
  if (grantType !== 'client_credentials') {
    answer(400, { error: 'unsupported_grant_type' })
    return
  }
  world.issued += 1
  const accessToken = `${world.id}-token-${world.issued}`
  world.valid.add(accessToken)
  answer(200, { access_token: accessToken, token_type: 'Bearer', expires_in: 3600, ...(scope === null ? {} : { scope }) })
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}
