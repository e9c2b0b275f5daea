import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { type LoopbackServer, listen, readBody } from './listen.ts'

/** One request as the resource server saw it. */
export interface RecordedRequest {
  readonly method: string
  /** Path and query. */
  readonly path: string
  /** The `Authorization` header as received, if any. */
  readonly authorization: string | undefined
  /** Every `Authorization` field of the request (a well-behaved client sends at most one). */
  readonly authorizations: readonly string[]
  /** The bearer token of that header, if it was one. */
  readonly token: string | undefined
  /** The status the server answered; 0 for `/drop`, which answers nothing. */
  readonly status: number
  /** SHA-256 (hex) of the body; a multipart boundary is replaced by `BOUNDARY` first. */
  readonly sha256: string
  /** Body length in bytes (after the boundary replacement). */
  readonly length: number
  /** `Content-Type`, with a multipart boundary replaced by `BOUNDARY`. */
  readonly contentType: string | undefined
  /** The body as text (after the boundary replacement). */
  readonly body: string
}

/** What `/echo` (and every authorized route) answers, as JSON. */
export type Echo = Omit<RecordedRequest, 'status' | 'body'>

/** Options of {@link startResourceServer}. */
export interface ResourceServerOptions {
  /** Whether routes other than `/redirect` need a valid bearer token. @default true */
  requireAuth?: boolean
  /** Size in bytes of a 401 body. @default 1024 */
  unauthorizedBodyBytes?: number
  /** The `WWW-Authenticate` of a 401. @default 'Bearer realm="test", error="invalid_token"' */
  challenge?: string
  /** Decides whether a token is valid, in place of the server's own set. */
  validate?: (token: string) => boolean | Promise<boolean>
  /**
   * Challenges a request before its token is checked: the status (401 or 403) and
   * `WWW-Authenticate` to answer with, or `undefined` to go on as usual.
   */
  challengeFor?: (token: string | undefined, path: string) => { status: number; challenge: string } | undefined
}

/**
 * A loopback resource server (`http.createServer` on 127.0.0.1, port 0). Routes:
 * - `/redirect?to=<url>&status=302`: redirects, token or not;
 * - `/always-401?challenge=<www-authenticate>`: answers 401 whatever the token;
 * - `/drop`: destroys the connection without an answer, as a server that crashed after reading the request;
 * - `/hold…`: waits for {@link ResourceServer.release} (until it is called), then answers like any other route;
 * - anything else: 401 without a valid bearer token (when `requireAuth`), else a JSON {@link Echo}.
 *
 * `url(path)` defaults to `/echo`.
 */
export interface ResourceServer extends LoopbackServer {
  /** Every request, in the order they were answered. */
  readonly requests: readonly RecordedRequest[]
  /** Makes tokens valid. */
  accept(...tokens: string[]): void
  /** Makes a token invalid. */
  revoke(token: string): void
  /** Makes every token invalid. */
  revokeAll(): void
  /** How many requests carried `token`. */
  countFor(token: string): number
  /** Resolves once `count` requests are held on `/hold`. */
  held(count: number): Promise<void>
  /** Answers every held request; `/hold` holds no more requests after this. */
  release(): void
  /** Resolves when every response so far was sent in full, or its connection closed. */
  settled(): Promise<void>
}

const DEFAULT_CHALLENGE = 'Bearer realm="test", error="invalid_token"'

/** Starts a {@link ResourceServer}. */
export async function startResourceServer(options: ResourceServerOptions = {}): Promise<ResourceServer> {
  const requireAuth = options.requireAuth ?? true
  const unauthorizedBody = Buffer.alloc(options.unauthorizedBodyBytes ?? 1024, 'unauthorized ')
  const valid = new Set<string>()
  const validate = options.validate ?? ((token: string) => valid.has(token))
  const requests: RecordedRequest[] = []
  const counts = new Map<string, number>()
  const pending: Promise<void>[] = []
  let holds: (() => void)[] = []
  let released = false
  let heldWaiters: { count: number; resolve: () => void }[] = []

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    pending.push(new Promise((resolve) => res.once('close', resolve)))
    const bytes = await readBody(req)
    const url = new URL(req.url ?? '/', 'http://x')
    const authorization = req.headers.authorization
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1]
    if (token !== undefined) counts.set(token, (counts.get(token) ?? 0) + 1)
    const record = (status: number): RecordedRequest => {
      const described = describeBody(bytes, req.headers['content-type'])
      const raw = req.rawHeaders
      const authorizations = raw.filter((_, i) => i % 2 === 1 && raw[i - 1]?.toLowerCase() === 'authorization')
      const [method, path] = [req.method ?? 'GET', req.url ?? '/']
      const entry = { method, path, authorization, authorizations, token, status, ...described }
      requests.push(entry)
      return entry
    }
    if (url.pathname.startsWith('/hold') && !released) {
      await new Promise<void>((resolve) => {
        holds.push(resolve)
        heldWaiters = heldWaiters.filter((w) => (holds.length >= w.count ? (w.resolve(), false) : true))
      })
    }
    if (url.pathname === '/drop') {
      record(0)
      req.socket.destroy()
      return
    }
    if (url.pathname === '/redirect') {
      const status = Number(url.searchParams.get('status') ?? 302)
      record(status)
      res.writeHead(status, { location: url.searchParams.get('to') ?? '/' }).end()
      return
    }
    const scripted = options.challengeFor?.(token, url.pathname)
    if (scripted !== undefined) {
      record(scripted.status)
      res.writeHead(scripted.status, { 'www-authenticate': scripted.challenge, 'content-type': 'text/plain' }).end(unauthorizedBody)
      return
    }
    const authorized = token !== undefined && url.pathname !== '/always-401' && (await validate(token))
    if (url.pathname === '/always-401' || (requireAuth && !authorized)) {
      record(401)
      const challenge = url.searchParams.get('challenge') ?? options.challenge ?? DEFAULT_CHALLENGE
      res.writeHead(401, { 'www-authenticate': challenge, 'content-type': 'text/plain' }).end(unauthorizedBody)
      return
    }
    const { status: _, body: __, ...echo } = record(200)
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(echo))
  }

  const server = await listen(
    (req, res) => {
      handle(req, res).catch((error: unknown) => res.destroy(error as Error))
    },
    { backlog: 4096, keepAliveTimeoutMs: 30_000 },
  )

  return {
    ...server,
    url: (path = '/echo') => server.url(path),
    requests,
    accept: (...tokens) => tokens.forEach((token) => valid.add(token)),
    revoke: (token) => valid.delete(token),
    revokeAll: () => valid.clear(),
    countFor: (token) => counts.get(token) ?? 0,
    held: (count) =>
      holds.length >= count ? Promise.resolve() : new Promise((resolve) => heldWaiters.push({ count, resolve })),
    release: () => {
      released = true
      const waiting = holds
      holds = []
      waiting.forEach((resolve) => resolve())
    },
    settled: async () => {
      await Promise.all(pending)
    },
    close: async () => {
      holds.forEach((resolve) => resolve())
      await server.close()
    },
  }
}

/** Digest of a body; a multipart boundary is replaced by a constant so two sends compare equal. */
function describeBody(
  raw: Buffer,
  contentType: string | undefined,
): Pick<RecordedRequest, 'sha256' | 'length' | 'contentType' | 'body'> {
  const boundary = /boundary=("?)([^";]+)\1/i.exec(contentType ?? '')?.[2]
  const latin1 = boundary === undefined ? undefined : raw.toString('latin1').replaceAll(boundary, 'BOUNDARY')
  const bytes = latin1 === undefined ? raw : Buffer.from(latin1, 'latin1')
  return {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    length: bytes.byteLength,
    contentType: boundary === undefined ? contentType : contentType?.replaceAll(boundary, 'BOUNDARY'),
    body: bytes.toString('utf8'),
  }
}

/** SHA-256 (hex) of bytes or text, to compare with {@link RecordedRequest.sha256}. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}
