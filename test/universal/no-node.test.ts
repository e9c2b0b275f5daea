import { createContext, runInContext } from 'node:vm'
import { beforeAll, describe, expect, it } from 'vitest'
import { type BrowserBundle, bundleForBrowser } from './browser-bundle.ts'
import { nodeGlobalsIn } from './node-globals.ts'

// The universal entries, bundled for a browser the way a page's bundler would, then run where
// there is no Node: a fresh V8 context with a browser's globals only (no process, Buffer, require,
// global, setImmediate). What an issue once found broken there is run through it.

const UNIVERSAL = `
export * as core from '@tokenwarden/core'
export * as adapter from '@tokenwarden/core/adapter'
export * as fetchAdapter from '@tokenwarden/fetch'
`

/** The globals a browser page has (Node's own implementations of them), and none of Node's. */
const BROWSER_GLOBALS = [
  'URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder', 'AbortController', 'AbortSignal', 'Headers', 'Request', 'Response',
  'FormData', 'Blob', 'File', 'ReadableStream', 'WritableStream', 'TransformStream', 'crypto', 'CryptoKey', 'SubtleCrypto', 'atob',
  'btoa', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'structuredClone', 'Event', 'EventTarget',
  'DOMException', 'performance', 'fetch',
] as const

/** A page's global scope with `console.warn` recorded and `extra` added. */
function browserContext(extra: Record<string, unknown> = {}): { context: object; warnings: string[] } {
  const warnings: string[] = []
  const scope: Record<string, unknown> = { document: {}, console: { ...console, warn: (...args: unknown[]) => void warnings.push(args.join(' ')) } }
  for (const name of BROWSER_GLOBALS) scope[name] = (globalThis as Record<string, unknown>)[name]
  const context = createContext({ ...scope, ...extra })
  runInContext('globalThis.self = globalThis; globalThis.window = globalThis', context)
  return { context, warnings }
}

let bundle: BrowserBundle
beforeAll(async () => {
  bundle = await bundleForBrowser(UNIVERSAL)
}, 60_000)

describe('the universal entries (@tokenwarden/core, @tokenwarden/core/adapter, @tokenwarden/fetch) in a browser bundle', () => {
  it('import no Node built-in, and leave nothing unresolved', () => {
    expect(bundle.nodeImports).toEqual([])
    expect(bundle.imports).toEqual([])
    expect(bundle.logs.filter((log) => /UNRESOLVED|MISSING/.test(log.code ?? '')).map((log) => log.message)).toEqual([])
  })

  it('read no Node global (process, Buffer, require, global, setImmediate…) except behind a guard such as globalThis.process?.', () => {
    expect(bundle.ownModules.size).toBeGreaterThan(50)
    const found = [...bundle.ownModules].flatMap(([path, code]) => nodeGlobalsIn(code).map((name) => `${path}: ${name}`))
    expect(found).toEqual([])
  })

  it('the guard sees a bare Node global, and lets guarded uses through', () => {
    expect(nodeGlobalsIn('const a = process.env.X; const b = Buffer.from("x"); const c = typeof process === "object"; const d = globalThis.process?.env; const e = { process: 1 }.process')).toEqual(['process', 'Buffer'])
  })

  it('the guard sees a node: import, static or dynamic, and a bare built-in name', async () => {
    const caught = await bundleForBrowser(`import { inspect } from 'node:util'\nimport fs from 'fs'\nexport const f = () => import('node:crypto')\nexport { inspect, fs }`)
    expect([...caught.nodeImports].sort()).toEqual(['fs', 'node:crypto', 'node:util'])
  })

  it('load and run in a context without process, Buffer, require or global', async () => {
    const { context } = browserContext()
    runInContext(bundle.code, context)
    expect(runInContext('[typeof process, typeof Buffer, typeof require, typeof global, typeof setImmediate]', context)).toEqual(Array(5).fill('undefined'))
    expect(Object.keys(runInContext('tw', context) as object).sort()).toEqual(['adapter', 'core', 'fetchAdapter'])
  })
})

describe('tokenwarden where there is no Node (the bundle in a page-like context)', () => {
  /** Runs `scenario` (the body of an async function of `tw`) in a fresh page-like context. */
  async function run(scenario: string, extra?: Record<string, unknown>): Promise<{ result: unknown; warnings: string[] }> {
    const { context, warnings } = browserContext(extra)
    runInContext(bundle.code, context)
    const result = await (runInContext(`(async ({ core, adapter, fetchAdapter }) => {${scenario}})(tw)`, context) as Promise<unknown>)
    return { result, warnings }
  }

  it('attaches a token with withAuth(fetch), retries once after a 401, and keeps String and JSON redacted', async () => {
    const calls: [string, string | null, string | undefined][] = []
    const fakeFetch = async (url: string, init: RequestInit): Promise<Response> => {
      const authorization = new Headers(init.headers).get('authorization')
      calls.push([url, authorization, init.redirect])
      return new Response('ok', { status: authorization === 'Bearer tok-1' ? 401 : 200 })
    }
    const { result } = await run(
      `
      const registry = new core.CredentialRegistry()
      let n = 0
      const manager = registry.register('api', { origins: ['https://api.example.com'], source: core.fromFunction(async () => ({ accessToken: 'tok-' + ++n, expiresIn: 600 })) })
      const response = await fetchAdapter.withAuth(fakeFetch, 'api', { registry })('https://api.example.com/items')
      const token = await manager.getToken()
      const rendered = [String(token), JSON.stringify(token)]
      await registry.close()
      return { status: response.status, rendered }
    `,
      { fakeFetch },
    )
    expect(result).toMatchObject({ status: 200 })
    expect(calls).toEqual([
      ['https://api.example.com/items', 'Bearer tok-1', 'follow'],
      ['https://api.example.com/items', 'Bearer tok-2', 'follow'],
    ])
    for (const text of (result as { rendered: string[] }).rendered) expect(text).not.toContain('tok-2')
  })

  it('a listener that throws is reported with console.warn and getToken still resolves', async () => {
    const { result, warnings } = await run(`
      const manager = new core.TokenManager({ name: 'listened', source: core.staticToken('static-secret') })
      manager.subscribe(() => { throw new Error('listener failed') })
      const token = await manager.getToken()
      await manager.close()
      return token.tokenType
    `)
    expect(result).toBe('Bearer')
    expect(warnings.some((warning) => warning.includes('TOKENWARDEN_LISTENER_ERROR'))).toBe(true)
    expect(warnings.join('\n')).not.toContain('static-secret')
  })

  it('env needs an explicit env where there is no process.env, and reads it', async () => {
    const { result } = await run(`
      let code
      try { core.env('API_TOKEN') } catch (error) { code = error.code + ' ' + error.option }
      const manager = new core.TokenManager({ name: 'env', source: core.env('API_TOKEN', { env: { API_TOKEN: 'from-bindings' } }) })
      const token = await manager.getAccessToken()
      await manager.close()
      return { code, token }
    `)
    expect(result).toEqual({ code: 'TOKEN_INVALID_OPTION env', token: 'from-bindings' })
  })

  it('signs DPoP proofs with WebCrypto, asynchronously, and imports a PKCS#8 PEM', async () => {
    const { subtle } = globalThis.crypto
    const pair = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair
    const der = Buffer.from(await subtle.exportKey('pkcs8', pair.privateKey)).toString('base64')
    const pem = `-----BEGIN PRIVATE KEY-----\n${der.match(/.{1,64}/g)?.join('\n')}\n-----END PRIVATE KEY-----\n`
    const { result } = await run(
      `
      const generated = await adapter.DPoPKey.from({ alg: 'Ed25519' })
      const given = await adapter.DPoPKey.from({ key: pem })
      const pending = given.proof({ htm: 'GET', htu: 'https://api.example.com/a?q', accessToken: 'at', now: Date.now() })
      return { synchronous: [generated.synchronous, given.synchronous], isPromise: pending instanceof Promise, proof: await pending, alg: given.alg }
    `,
      { pem },
    )
    const { proof, ...rest } = result as { proof: string }
    expect(rest).toEqual({ synchronous: [false, false], isPromise: true, alg: 'ES256' })
    const claims = JSON.parse(Buffer.from(proof.split('.')[1] as string, 'base64url').toString()) as Record<string, unknown>
    expect(claims).toMatchObject({ htm: 'GET', htu: 'https://api.example.com/a' })
    expect(typeof claims.ath).toBe('string')
  })

  it('refuses a PKCS#1 PEM with a coded error pointing to @tokenwarden/core/node', async () => {
    const { result } = await run(`
      try {
        core.clientCredentials({ tokenEndpoint: 'https://as.example.com/token', clientId: 'c', privateKey: '-----BEGIN RSA PRIVATE KEY-----\\nMIIBOgIBAAJBAK==\\n-----END RSA PRIVATE KEY-----\\n' })
      } catch (error) {
        return { code: error.code, option: error.option, node: error.message.includes('@tokenwarden/core/node') }
      }
    `)
    expect(result).toEqual({ code: 'TOKEN_INVALID_OPTION', option: 'privateKey', node: true })
  })
})
