import { dpopBinding } from '@tokenwarden/core/adapter'
import { type AuthFixture, type Echo, authFixture } from '@tokenwarden/test-utils/http'
import {
  Agent,
  Client,
  type Dispatcher,
  Pool,
  fetch as undiciFetch,
  getGlobalDispatcher,
  interceptors,
  request,
  setGlobalDispatcher,
} from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { authInterceptor } from '../src/index.ts'

// What every adapter does (attach, 401 and retry, bodies, redirects, errors) is in the conformance
// suite (test/conformance), run against undici too: these tests are about undici itself.

function agentFor(f: AuthFixture, ...outer: Dispatcher.DispatcherComposeInterceptor[]): Dispatcher {
  const agent = new Agent().compose(authInterceptor(f.name, { registry: f.registry }), ...outer)
  onTestFinished(() => agent.close())
  return agent
}

async function echoOf(response: Dispatcher.ResponseData): Promise<Echo> {
  return (await response.body.json()) as Echo
}

/** Installs `dispatcher` as the global one for this test. */
function useGlobalDispatcher(dispatcher: Dispatcher): void {
  const previous = getGlobalDispatcher()
  setGlobalDispatcher(dispatcher)
  onTestFinished(() => setGlobalDispatcher(previous))
}

/** A v2 handler that records every callback it gets. */
function recordingHandler(): Dispatcher.DispatchHandler & { calls: string[]; done: Promise<void>; body: string } {
  let finish!: () => void
  const chunks: Buffer[] = []
  const handler = {
    calls: [] as string[],
    body: '',
    done: new Promise<void>((resolve) => (finish = resolve)),
    onRequestStart: () => handler.calls.push('start'),
    onResponseStart: (_c: unknown, status: number) => handler.calls.push(`response ${status}`),
    onResponseData: (_c: unknown, chunk: Buffer) => chunks.push(chunk),
    onResponseEnd: () => {
      handler.calls.push('end')
      handler.body = Buffer.concat(chunks).toString()
      finish()
    },
    onResponseError: (_c: unknown, error: Error) => {
      handler.calls.push(`error ${error.message}`)
      finish()
    },
  }
  return handler
}

describe('authInterceptor with undici dispatchers', () => {
  it('works composed on a Pool and on a Client', async () => {
    const f = await authFixture()
    const auth = authInterceptor(f.name, { registry: f.registry })
    const pool = new Pool(f.server.origin).compose(auth)
    const client = new Client(f.server.origin).compose(auth)
    onTestFinished(async () => {
      await Promise.all([pool.close(), client.close()])
    })
    expect((await echoOf(await pool.request({ path: '/echo', method: 'GET' }))).token).toBe('token-1')
    expect((await echoOf(await client.request({ path: '/echo', method: 'GET' }))).token).toBe('token-1')
    f.server.revokeAll()
    expect((await echoOf(await client.request({ path: '/echo', method: 'POST', body: 'x' }))).token).toBe('token-2')
  })

  it('dispatches synchronously when the token is cached: no extra tick', async () => {
    const f = await authFixture()
    await f.manager.getToken()
    let dispatchedSynchronously = false
    let inside = false
    const spy: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
      dispatchedSynchronously = inside
      return dispatch(opts, handler)
    }
    const agent = new Agent().compose(spy, authInterceptor(f.manager))
    onTestFinished(() => agent.close())
    const handler = recordingHandler()
    inside = true
    agent.dispatch({ origin: f.server.origin, path: '/echo', method: 'GET' }, handler)
    inside = false
    await handler.done
    expect(dispatchedSynchronously).toBe(true)
  })

  it('gives the downstream handler exactly one onRequestStart and one response across a retry', async () => {
    const f = await authFixture()
    await f.manager.getToken()
    f.server.revokeAll()
    const handler = recordingHandler()
    agentFor(f).dispatch({ origin: f.server.origin, path: '/echo', method: 'GET' }, handler)
    await handler.done
    expect(handler.calls).toEqual(['start', 'response 200', 'end'])
    expect(JSON.parse(handler.body)).toMatchObject({ token: 'token-2' })
    expect(f.server.requests.map((r) => r.status)).toEqual([401, 200])
  })

  it('reports a token failure through onResponseError without any onRequestStart', async () => {
    const f = await authFixture()
    f.source.failWith(Object.assign(new Error('nope'), { status: 400, error: 'invalid_client' }))
    const handler = recordingHandler()
    agentFor(f).dispatch({ origin: f.server.origin, path: '/echo', method: 'GET' }, handler)
    await handler.done
    expect(handler.calls).toEqual([expect.stringMatching(/^error /)])
  })

  it('converts a v1 handler (onHeaders, onData, onComplete) given straight to dispatch', async () => {
    const f = await authFixture()
    const chunks: Buffer[] = []
    let status = 0
    await new Promise<void>((resolve, reject) => {
      agentFor(f).dispatch({ origin: f.server.origin, path: '/echo', method: 'GET' }, {
        onConnect: () => {},
        onHeaders: (statusCode: number) => ((status = statusCode), true),
        onData: (chunk: Buffer) => (chunks.push(chunk), true),
        onComplete: () => resolve(),
        onError: reject,
      } as unknown as Dispatcher.DispatchHandler)
    })
    expect(status).toBe(200)
    expect(JSON.parse(Buffer.concat(chunks).toString())).toMatchObject({ token: 'token-1' })
  })

  it('aborts a request waiting between its 401 and the retry', async () => {
    const f = await authFixture()
    await f.manager.getToken()
    f.server.revokeAll()
    const open = f.source.hold()
    const controller = new AbortController()
    const pending = request(f.server.url('/echo'), { dispatcher: agentFor(f), signal: controller.signal })
    await f.source.called(2)
    controller.abort(new Error('caller gave up'))
    await expect(pending).rejects.toThrow('caller gave up')
    open()
    expect(f.server.requests.map((r) => r.status)).toEqual([401])
  })

  it("pauses and resumes the attempt in flight: after a retry, the downstream's controller drives the second socket", async () => {
    const f = await authFixture()
    await f.manager.getToken()
    f.server.revokeAll()
    const events: string[] = []
    let resumed = false
    const handler = recordingHandler()
    const paused: Dispatcher.DispatchHandler = {
      ...handler,
      onResponseStart(controller, status) {
        controller.pause()
        events.push(`${status} paused: ${controller.paused}`)
        setImmediate(() => {
          resumed = true
          controller.resume()
        })
      },
      onResponseData(controller, chunk) {
        events.push(resumed ? 'data' : 'data while paused')
        handler.onResponseData?.(controller, chunk)
      },
    }
    agentFor(f).dispatch({ origin: f.server.origin, path: '/echo', method: 'GET' }, paused)
    await handler.done
    expect(events).toEqual(['200 paused: true', 'data'])
    expect(JSON.parse(handler.body)).toMatchObject({ token: 'token-2' })
  })
})

describe('authInterceptor and headers', () => {
  const shapes: [string, (name: string, value: string) => Dispatcher.DispatchOptions['headers']][] = [
    ['an object', (name, value) => ({ [name]: value, 'x-other': '1' })],
    ['a flat array', (name, value) => ['x-other', '1', name, value]],
    ['pairs', (name, value) => [['x-other', '1'], [name, value]] as unknown as string[]],
    ['a Map', (name, value) => new Map([['x-other', '1'], [name, value]]) as unknown as string[]],
  ]

  // undici itself takes an array of pairs only after another interceptor normalised it: test the
  // pass-through with the shapes undici takes, and the pairs in headers.test.ts.
  it.each(shapes.filter(([shape]) => shape !== 'pairs'))('leaves a caller Authorization alone in %s, whatever its case', async (_, make) => {
    const f = await authFixture({ server: { requireAuth: false } })
    const dispatcher = agentFor(f)
    for (const name of ['Authorization', 'authorization', 'AUTHORIZATION']) {
      const response = await request(f.server.url('/echo'), { dispatcher, headers: make(name, 'Basic abc') })
      expect((await echoOf(response)).authorizations).toEqual(['Basic abc'])
    }
    expect(f.source.calls).toBe(0)
  })

  it.each(shapes)('replaces one of its own older tokens in %s: one Authorization field is sent', async (_, make) => {
    const f = await authFixture()
    const old = await f.manager.getToken()
    await f.manager.refresh()
    const dispatcher = agentFor(f)
    for (const name of ['Authorization', 'AUTHORIZATION']) {
      const response = await request(f.server.url('/echo'), { dispatcher, headers: make(name, old.authorization) })
      expect((await echoOf(response)).authorizations).toEqual(['Bearer token-2'])
    }
  })
})

describe('authInterceptor and redirects', () => {
  it('placed outside the redirect interceptor, still sends no token across origins', async () => {
    const f = await authFixture()
    const agent = new Agent().compose(interceptors.redirect({ maxRedirections: 5 }), authInterceptor(f.name, { registry: f.registry }))
    onTestFinished(() => agent.close())
    const to = encodeURIComponent(f.other.url('/echo'))
    const response = await request(f.server.url(`/redirect?to=${to}`), { dispatcher: agent })
    expect((await echoOf(response)).authorizations).toEqual([])
    const same = await request(f.server.url('/redirect?to=/echo'), { dispatcher: agent })
    expect((await echoOf(same)).token).toBe('token-1')
  })
})

describe('authInterceptor and compose order', () => {
  it('sees the host name placed after (outside) dns; inside it sees only the IP and attaches nothing', async () => {
    const f = await authFixture()
    const byName = `http://localhost:${f.server.port}`
    const options = { registry: f.registry, origins: [byName] }
    const outside = new Agent().compose(interceptors.dns(), authInterceptor(f.name, options))
    const inside = new Agent().compose(authInterceptor(f.name, options), interceptors.dns())
    onTestFinished(async () => {
      await Promise.all([outside.close(), inside.close()])
    })
    expect((await echoOf(await request(`${byName}/echo`, { dispatcher: outside }))).token).toBe('token-1')
    expect((await request(`${byName}/echo`, { dispatcher: inside })).statusCode).toBe(401)
  })
})

describe('authInterceptor and fetch', () => {
  it('covers global fetch through setGlobalDispatcher, 401 retry included for a bodiless request', async () => {
    const f = await authFixture()
    useGlobalDispatcher(agentFor(f, interceptors.redirect({ maxRedirections: 5 })))
    expect(((await (await fetch(f.server.url('/echo'))).json()) as Echo).token).toBe('token-1')
    f.server.revokeAll()
    const response = await fetch(f.server.url('/echo'))
    expect(response.status).toBe(200)
    expect(((await response.json()) as Echo).token).toBe('token-2')
  })

  it('returns the 401 of a global fetch with a body (a one-shot stream to a dispatcher) unless buffering is on', async () => {
    // Two quick rejections in a row: no cool-down here, it is not what this test is about.
    const f = await authFixture({ manager: { coolDown: 0 } })
    useGlobalDispatcher(agentFor(f))
    await f.manager.getToken()
    f.server.revokeAll()
    expect((await fetch(f.server.url('/echo'), { method: 'POST', body: 'payload' })).status).toBe(401)

    const buffering = new Agent().compose(authInterceptor(f.name, { registry: f.registry, maxReplayBytes: 1024 }))
    onTestFinished(() => buffering.close())
    setGlobalDispatcher(buffering)
    f.server.revokeAll()
    const response = await fetch(f.server.url('/echo'), { method: 'POST', body: 'payload' })
    expect(response.status).toBe(200)
    expect(f.server.requests.slice(-2).map((r) => [r.status, r.body])).toEqual([
      [401, 'payload'],
      [200, 'payload'],
    ])
  })

  it("works as global fetch's dispatcher option (its v1 handlers are converted)", async () => {
    const f = await authFixture()
    const response = await fetch(f.server.url('/echo'), { dispatcher: agentFor(f) } as RequestInit)
    expect(((await response.json()) as Echo).token).toBe('token-1')
  })

  it("works as undici.fetch's dispatcher, 401 retry included", async () => {
    const f = await authFixture()
    const dispatcher = agentFor(f)
    await f.manager.getToken()
    f.server.revokeAll()
    const response = await undiciFetch(f.server.url('/echo'), { dispatcher })
    expect(((await response.json()) as Echo).token).toBe('token-2')
  })
})

describe('undici authInterceptor: DPoP (the right order is in the conformance suite)', () => {
  /** A credential whose tokens are DPoP-bound, to a key generated for the test. */
  async function boundFixture(): Promise<AuthFixture> {
    const source = {
      kind: 'bound',
      acquire: async () => ({ accessToken: 'bound', tokenType: 'DPoP', expiresIn: 600 }),
      dpop: dpopBinding({}, async () => undefined),
    }
    const f = await authFixture({ manager: { source } })
    f.server.accept('bound')
    return f
  }

  it('fails with TOKEN_DPOP_STALE_PROOF when a redirect interceptor inside it would resend an old proof', async () => {
    const f = await boundFixture()
    const agent = new Agent().compose(interceptors.redirect({ maxRedirections: 2 }), authInterceptor(f.name, { registry: f.registry }))
    onTestFinished(() => agent.close())
    const target = f.server.url(`/redirect?status=307&to=${encodeURIComponent(f.server.url('/echo'))}`)
    await expect(request(target, { dispatcher: agent })).rejects.toMatchObject({ code: 'TOKEN_DPOP_STALE_PROOF' })
    expect(f.server.requests.map((r) => r.path)).toEqual([expect.stringMatching(/^\/redirect/)])
  })
})
