import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { stripVTControlCharacters } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Embedded, startEmbedded } from '../demo/src/embedded/index.ts'
import { runFleet } from '../demo/src/fleet/fleet.ts'
import { UsageError, parseOptions } from '../demo/src/options.ts'
import { openWorld } from '../demo/src/world.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const ADAPTERS = ['undici', 'axios', 'got', 'fetch']

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the root package's `start` script (its node arguments, on this Node) with `args`, without colours. */
async function npmStart(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const { scripts } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>
  }
  const [program, ...nodeArgs] = (scripts.start ?? '').split(/\s+/)
  expect(program).toBe('node')
  const { FORCE_COLOR: _, ...inherited } = process.env
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...nodeArgs, ...args],
      { cwd: root, env: { ...inherited, NO_COLOR: '1', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null
        resolve({ code, stdout: stripVTControlCharacters(stdout), stderr })
      },
    )
  })
}

/** The final table's rows, by adapter, as `{ column: value }`. */
function finalTable(stdout: string): Map<string, Record<string, string>> {
  const lines = stdout.split('\n')
  const header = lines.findIndex((line) => line.startsWith('adapter '))
  const columns = (lines[header] ?? '').trim().split(/\s{2,}/)
  const rows = new Map<string, Record<string, string>>()
  for (const line of lines.slice(header + 1)) {
    const cells = line.trim().split(/\s{2,}/)
    if (cells.length !== columns.length) break
    rows.set(cells[0] ?? '', Object.fromEntries(columns.map((column, i) => [column, cells[i] ?? ''])))
  }
  return rows
}

describe('npm start (the demo)', () => {
  describe('in its short mode, against the embedded IdP and API', () => {
    let run: Run
    beforeAll(async () => {
      run = await npmStart(['--short'])
    }, 45_000)

    it('runs the whole story: every step holds, 0 failures for every adapter, exit 0', () => {
      const { code, stdout, stderr } = run
      expect(code, `${stdout}\n${stderr}`).toBe(0)
      const table = finalTable(stdout)
      expect([...table.keys()]).toEqual(ADAPTERS)
      for (const adapter of ADAPTERS) {
        expect(table.get(adapter)?.failures, adapter).toBe('0')
        expect(Number(table.get(adapter)?.['token requests']), adapter).toBeGreaterThanOrEqual(5)
      }
      expect(stdout).toContain('Every step held for undici, axios, got, fetch.')
    })

    it("prints what tokenwarden published on its diagnostics channels, in step with the table's counters", () => {
      const table = [...finalTable(run.stdout).values()]
      const column = (name: string): number => table.reduce((sum, row) => sum + Number(row[name]), 0)
      const summary = (label: string): number => Number(new RegExp(`^ {3}${label} +(\\d+)`, 'm').exec(run.stdout)?.[1])
      expect(run.stdout).toContain('Telemetry: what tokenwarden published on diagnostics_channel during the story')
      // Every token request is an acquisition that got its token, or a failed attempt (of an acquisition that may have failed in the end).
      const failedAcquisitions = Number(/outcome: .*failed \(\w+\) (\d+)/.exec(run.stdout)?.[1] ?? 0)
      expect(summary('acquisitions') - failedAcquisitions + summary('refresh failures'), run.stdout).toBe(column('token requests'))
      expect(summary('request retries'), run.stdout).toBe(column('401 recoveries'))
      expect(run.stdout).toMatch(/^ {3}tokens served +[\d,]+ from memory; least remaining lifetime at use \d+\.\d s$/m)
    })

    it('says what it starts before the story, and when traffic starts flowing', () => {
      const lines = run.stdout.split('\n').map((line) => line.trim())
      const starting = lines.indexOf('starting an OpenID provider (oidc-provider) and an API on 127.0.0.1…')
      expect(starting, run.stdout).toBeGreaterThan(0)
      expect(starting).toBeLessThan(lines.findIndex((line) => line.startsWith('IdP  http://127.0.0.1:')))
      const step1 = lines.indexOf('1. First token and steady traffic')
      expect(lines[step1 + 1], run.stdout).toBe('every adapter has its first token; steady traffic for 1 s…')
    })

    it('ends with the fleet: 4 processes make 1 token request per phase through Redis, 4 without a store', () => {
      expect(run.stdout).toMatch(/^ {3}with redisStore \(redis:\/\/[^)]+\) +token requests per phase: 1 \/ 1 \/ 1$/m)
      expect(run.stdout).toMatch(/^ {3}without a store +token requests per phase: 4 \/ 4 \/ 4$/m)
    })

    it('counts background refreshes in step 2 up to its end, and in the table over the whole run', () => {
      const { stdout } = run
      expect(stdout).toContain('Totals for the whole run')
      const table = finalTable(stdout)
      for (const adapter of ADAPTERS) {
        const soFar = new RegExp(`^\\s+${adapter}\\s+ok\\s+(\\d+) background refresh(?:es)? so far `, 'm').exec(stdout)
        expect(soFar, `${adapter}: ${stdout}`).not.toBeNull()
        expect(Number(soFar?.[1]), adapter).toBeGreaterThan(0)
        expect(Number(table.get(adapter)?.['background refreshes']), adapter).toBeGreaterThanOrEqual(Number(soFar?.[1]))
      }
    })
  })

  describe('its fleet, when no Redis answers', () => {
    it('is skipped with a line on how to start one (the demo still exits 0)', async () => {
      const world = await openWorld({ kind: 'embedded' })
      try {
        const fleet = await runFleet(world, 'redis://127.0.0.1:1')
        expect(fleet).toEqual({ skipped: expect.stringMatching(/^no Redis answers at redis:\/\/127\.0\.0\.1:1; start one with `redis-server /) })
      } finally {
        await world.close()
      }
    })
  })

  describe('against a real IdP and API (here: the embedded ones, started by the test)', () => {
    let world: Embedded
    beforeAll(async () => {
      // Against a real IdP the demo keeps the default windows: the background refresh starts a
      // fifth of the lifetime before expiry and callers wait from a tenth. A 12 s token leaves the
      // refresh 1.2 s to land before anyone waits, room enough on a machine that is busy.
      world = await startEmbedded({ tokenLifetime: 12 })
    })
    afterAll(() => world.close())

    it('skips the steps that need control of the IdP or the API, and holds the others', async () => {
      // 3 s of traffic, one progress line at 2 s; step 2 then waits for the refresh due at about 9.6 s.
      const flags = ['--duration', '3', '--issuer', world.idp.issuer, '--url', `${world.api.url}/orders`]
      const { code, stdout, stderr } = await npmStart(flags, {
        DEMO_CLIENT_ID: world.idp.service.clientId,
        DEMO_CLIENT_SECRET: world.idp.service.clientSecret,
        DEMO_SCOPE: 'api:read',
      })
      expect(code, `${stdout}\n${stderr}`).toBe(0)
      expect(stdout).toMatch(/^ {3}[23] s of 3: [\d,]+ requests through the 4 adapters, none failed$/m)
      expect(stdout).toContain('skipped  needs control of the API')
      expect(stdout).toContain('skipped  needs control of the IdP')
      for (const adapter of ADAPTERS) expect(finalTable(stdout).get(adapter)?.failures, adapter).toBe('0')
      expect(world.api.answered.unauthorized).toBe(0)
    }, 45_000)
  })

  it('refuses options that do not make sense with exit code 2 and a plain message', async () => {
    const { code, stderr } = await npmStart(['--duration', '0'])
    expect(code).toBe(2)
    expect(stderr).toContain('--duration must be a positive number of seconds')
  })
})

describe('the demo options', () => {
  it('read flags first, then DEMO_* variables; --short is one second of steady traffic', () => {
    expect(parseOptions([], {})).toMatchObject({ durationSeconds: 10, target: { kind: 'embedded' } })
    expect(parseOptions(['--short'], { DEMO_DURATION: '30' }).durationSeconds).toBe(1)
    expect(parseOptions([], { DEMO_DURATION: '2.5' }).durationSeconds).toBe(2.5)
    const remote = parseOptions(['--issuer', 'https://idp.example.com', '--url', 'https://api.example.com/x'], {
      DEMO_CLIENT_ID: 'svc',
      DEMO_CLIENT_SECRET: 's3cret',
      DEMO_SCOPE: 'api:read',
    })
    expect(remote.target).toEqual({
      kind: 'remote',
      issuer: 'https://idp.example.com',
      clientId: 'svc',
      clientSecret: 's3cret',
      scope: 'api:read',
      url: 'https://api.example.com/x',
    })
  })

  it('refuses a real API without a real IdP, an IdP without a client or URL, and unknown flags', () => {
    expect(() => parseOptions(['--url', 'https://api.example.com'], {})).toThrow(UsageError)
    expect(() => parseOptions(['--issuer', 'https://idp.example.com', '--url', 'https://a.example'], {})).toThrow(/--client-id/)
    expect(() => parseOptions(['--issuer', 'https://idp.example.com', '--client-id', 'svc'], {})).toThrow(/--url/)
    const notAUrl = ['--issuer', 'not a url', '--client-id', 'svc', '--url', 'https://a.example']
    expect(() => parseOptions(notAUrl, {})).toThrow(UsageError)
    expect(() => parseOptions(['--burst'], {})).toThrow(UsageError)
  })
})
