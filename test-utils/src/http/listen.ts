import { type IncomingMessage, type RequestListener, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A loopback HTTP server of a test: `http.createServer()` listening on 127.0.0.1, port 0. */
export interface LoopbackServer {
  readonly origin: string
  readonly port: number
  readonly server: Server
  /** `origin` + `path`. */
  url(path?: string): string
  /** Closes every connection, then the server. */
  close(): Promise<void>
}

/** Options of {@link listen}. */
export interface ListenOptions {
  /** The listen backlog: raise it for a thousand concurrent connections. @default 511 */
  backlog?: number
  /** How long an idle kept-alive connection stays open, ms. @default 5000 */
  keepAliveTimeoutMs?: number
}

/** Starts `handler` on 127.0.0.1, port 0. */
export async function listen(handler: RequestListener, options: ListenOptions = {}): Promise<LoopbackServer> {
  const server = createServer(handler)
  if (options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = options.keepAliveTimeoutMs
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: options.backlog }, resolve))
  const { port } = server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`
  return {
    origin,
    port,
    server,
    url: (path = '/') => `${origin}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Reads a request's body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Answers with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}
