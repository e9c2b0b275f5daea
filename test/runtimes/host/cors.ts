import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * Rules: a browser page (vitest's, on another origin) may call every route. Every answer allows any
 * origin and exposes the headers the library reads (`WWW-Authenticate` of a 401 is unreadable
 * otherwise); a preflight allows the method and the headers asked for (`Authorization` among them,
 * which `*` would not cover) and is answered here, before any route sees it.
 */
export function answerCors(req: IncomingMessage, res: ServerResponse): boolean {
  res.setHeader('access-control-allow-origin', '*')
  res.setHeader('access-control-expose-headers', 'www-authenticate, location, content-type, dpop-nonce')
  if (req.method !== 'OPTIONS') return false
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE',
    'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '',
    'access-control-max-age': '600',
  })
  res.end()
  return true
}
