import { execFile } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))

/** Each example, and a line its output must contain once it ran against the local IdP. */
const examples: Readonly<Record<string, RegExp>> = {
  'axios.ts': /^after the API revoked the token → 200$/m,
  'fetch.ts': /^after the API revoked the token → 200$/m,
  'undici.ts': /^after the API revoked the token → 200$/m,
  'got.ts': /^after the API revoked the token → 200$/m,
  'client-credentials.ts': /^GET \/orders → 200 .*client_id: 'demo-service'/m,
  'refresh-token-rotation.ts': /^next run: renewed with the stored refresh token: true$/m,
  'command-source.ts': /^token from the command source, expires /m,
  'chain-source.ts': /^the token came from the client-credentials source$/m,
  'subscribe.ts': /^new token \(proactive\): Token\(Bearer \[redacted\], generation 2,[^]*^closed$/m,
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
    }, 30_000)
  })
})
