import { execFile } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))

/**
 * What an adapter example prints after the API revoked its token, in this order: the API's 401 to
 * the request, the rejected token dropped, a new one, the request sent again and answered 200.
 */
const recovery =
  /^ {2}API: GET \/orders → 401 \(invalid_token\)\n {2}orders: token generation 1 invalidated\n {2}orders: new token, generation 2 \(rejected\)\n {2}API: GET \/orders → 200\nafter the API revoked the token → 200$/m

/** Each example, and what its output must contain once it ran against the local IdP. */
const examples: Readonly<Record<string, RegExp>> = {
  'axios.ts': recovery,
  'fetch.ts': recovery,
  'undici.ts': recovery,
  'got.ts': recovery,
  'client-credentials.ts': /^GET \/orders → 200 .*client_id: 'demo-service'/m,
  'refresh-token-rotation.ts': /^next run: renewed with the stored refresh token: true$/m,
  'command-source.ts': /^token from the command source, expires /m,
  'chain-source.ts': /^the token came from the client-credentials source$/m,
  'pool.ts':
    /^billing: GET \/orders → 200, token from command\nreports: GET \/orders → 200, token from file\nlegacy: GET \/orders → 200, token from manual\nno app: GET \/orders → 401 \(sent without a token\)$/m,
  'opentelemetry.ts':
    /parentSpanContext: \{[^]*?name: 'tokenwarden\.acquisition'[^]*'tokenwarden\.acquisition\.reason': 'rejected'[^]*^after the API revoked the token → 200$[^]*name: 'tokenwarden\.request\.retries'[^]*'tokenwarden\.retry\.kind': 'token'/m,
  'subscribe.ts': /^new token \(proactive\): Token\(Bearer \[redacted\], generation 2,[^]*^closed$/m,
  // Needs Redis: the one at REDIS_URL (default 127.0.0.1:6379, which the project's machines start
  // before tests run), passed on through the environment. Without one the example prints how to
  // start it and exits 0, and this line is missing: the test fails and shows that message.
  'fleet.ts': /^the fleet made 1 token request for its first token, 1 token request after the API revoked it$/m,
}

/** Runs `examples/<file>` as the README says (`node --conditions=@tokenwarden/source`), on this Node. */
function runExample(file: string): Promise<{ code: number | null; output: string }> {
  const { ORDERS_API_TOKEN: _, FORCE_COLOR: __, ...env } = process.env
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=@tokenwarden/source', `examples/${file}`],
      { cwd: root, env: { ...env, NO_COLOR: '1' }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null
        resolve({ code, output: `${stdout}${stderr}` })
      },
    )
  })
}

describe('examples', () => {
  it('lists every example in examples/', async () => {
    const files = (await readdir(new URL('../examples/', import.meta.url))).filter((name) => name.endsWith('.ts'))
    expect(files.toSorted()).toEqual(Object.keys(examples).toSorted())
  })

  describe.concurrent.each(Object.entries(examples))('examples/%s', (file, expected) => {
    it('runs against the local IdP, prints what it shows, and exits by itself with code 0', async () => {
      const { code, output } = await runExample(file)
      expect(code, output).toBe(0)
      expect(output).toMatch(expected)
      expect(output, 'an access token (a JWT) was printed').not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+/)
      expect(output, 'oidc-provider printed a quick-start warning').not.toMatch(/oidc-provider (WARNING|NOTICE)/)
    }, 30_000)
  })
})
