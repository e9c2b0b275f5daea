import { execFile } from 'node:child_process'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { fileURLToPath } from 'node:url'
import { listen } from '@tokenwarden/test-utils/http'
import { describe, expect, it, onTestFinished } from 'vitest'

interface Exit {
  code: number | null
  signal: string | null
  stdout: string
  stderr: string
}

/** Runs a fixture in a child Node process (the repository's Node, TypeScript stripped). */
function run(fixture: string, args: string[]): Promise<Exit> {
  const script = fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url))
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--conditions=@tokenwarden/source', script, ...args],
      { timeout: 20_000 },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, signal: child.signalCode, stdout, stderr }),
    )
  })
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void

/** A loopback server playing the identity provider (`/token`, `/.well-known/…`) and the API (`/api`). */
async function start(token: Handler): Promise<{ url: (path: string) => string; tokenRequests: () => number }> {
  let tokenRequests = 0
  const server = await listen((request, response) => {
    if (request.url === '/token' || request.url?.startsWith('/.well-known/')) {
      tokenRequests++
      request.resume()
      return token(request, response)
    }
    response.end(`with ${request.headers.authorization === 'Bearer token-ok' ? 'the token' : 'no token'}`)
  })
  onTestFinished(server.close)
  return { url: server.url, tokenRequests: () => tokenRequests }
}

/** Answers 503 to the first token request, then a token. */
function unavailableOnce(): Handler {
  let calls = 0
  return (_request, response) => {
    if (++calls === 1) {
      response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"temporarily_unavailable"}')
      return
    }
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ access_token: 'token-ok', token_type: 'Bearer', expires_in: 3600 }))
  }
}

describe('a process waiting for a token', () => {
  it('keeps running through a 503 and its backoff: `await TokenManager.start()` resolves and the process exits 0', async () => {
    const idp = await start(unavailableOnce())
    const exit = await run('start-after-503.ts', [idp.url('/token')])
    expect(exit.signal, exit.stderr).toBeNull()
    expect(exit.code, exit.stderr).toBe(0)
    expect(exit.stdout).toContain('started with token generation 1')
    expect(idp.tokenRequests()).toBe(2)
  })

  it('sends a request made with .then() after a 503 from the token endpoint, then exits 0', async () => {
    const idp = await start(unavailableOnce())
    const exit = await run('one-request-after-503.ts', [idp.url('/token'), idp.url('/api')])
    expect(exit.signal, exit.stderr).toBeNull()
    expect(exit.code, exit.stderr).toBe(0)
    expect(exit.stdout).toContain('api answered 200 with the token')
    expect(idp.tokenRequests()).toBe(2)
  })

  it.each([
    ['token endpoint', 'tokenEndpoint', '/token'],
    ['discovery document', 'issuer', ''],
  ])('is not held open by a prefetch nobody waits for, while the %s hangs', async (_, by, path) => {
    let hung = 0
    const idp = await start(() => void hung++)
    const exit = await run('registered-only.ts', [idp.url(path), by])
    expect(exit.signal, 'the child was killed: the hanging prefetch held it open').toBeNull()
    expect(exit.code, exit.stderr).toBe(0)
    expect(exit.stdout).toContain('registered')
    expect(hung).toBe(1)
  })
})
