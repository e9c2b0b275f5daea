import type { IncomingMessage, ServerResponse } from 'node:http'

/** Reads a request body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  let body = ''
  req.setEncoding('utf8')
  for await (const chunk of req) body += chunk as string
  return body
}

/** Answers with a JSON body (given as a value, or as JSON text already). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  })
  res.end(text)
}
