import { type ChildProcess, execFile } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { acquireContext, expectNotLogged, rejection, temporaryDirectory } from '@tokenwarden/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { ErrorCode, TokenError } from '../../src/errors.ts'
import { CommandFailedError, type CommandOptions, command } from '../../src/sources/command.ts'
import { redactNamedSecrets } from '../../src/sources/stderr-excerpt.ts'
import { TokenManager } from '../../src/token-manager.ts'

// A pass-through spy: the real execFile runs real children; the spy only lets a test reach the child.
vi.mock('node:child_process', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:child_process')>()
  return { ...actual, execFile: vi.fn(actual.execFile) }
})

const SECRET = 'cmd-secret-5d2f8e13a0'

/** A test CLI: Node running `script`, with `args` after it. */
function node(script: string, args: readonly string[] = [], options: Partial<CommandOptions> = {}): CommandOptions {
  return { command: process.execPath, args: ['-e', script, '--', ...args], ...options }
}

function lastChild(): ChildProcess {
  const result = vi.mocked(execFile).mock.results.at(-1)
  if (result?.type !== 'return') throw new Error('execFile was not called')
  return result.value as ChildProcess
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit')
}

/** A child that ignores SIGTERM and never exits. */
const HANG = 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'

describe('command', () => {
  it('passes arguments literally: no shell ever interprets them', async () => {
    const cwd = await temporaryDirectory()
    const args = [
      '$(touch made-by-subshell)',
      '`touch made-by-backticks`',
      '; touch made-by-semicolon; rm -rf .',
      '| touch made-by-pipe',
      '&& touch made-by-and',
      '> made-by-redirect',
      `"double" 'single' \\"escaped\\"`,
      '*',
      '$HOME ${PATH} %PATH%',
      '',
      '  spaced  out  ',
      'line\nbreak',
      'ünïcödé ✓',
    ]
    let argv: unknown
    const source = command(
      node('process.stdout.write(JSON.stringify(process.argv.slice(1)))', args, {
        cwd,
        parse: (text) => {
          argv = JSON.parse(text)
          return { accessToken: 'ok' }
        },
      }),
    )
    expect(await source.acquire(acquireContext())).toEqual({ accessToken: 'ok' })
    expect(argv).toEqual(args)
    expect(await readdir(cwd)).toEqual([])
  })

  it('reads a JSON grant from standard output, by default when it starts with "{"', async () => {
    const script = `process.stdout.write(JSON.stringify({ access_token: ${JSON.stringify(SECRET)}, expires_in: 900, token_type: 'Bearer' }) + "\\n")`
    const expected = { accessToken: SECRET, expiresIn: 900, tokenType: 'Bearer' }
    expect(await command(node(script)).acquire(acquireContext())).toEqual(expected)
    expect(await command(node(script, [], { parse: 'json' })).acquire(acquireContext())).toEqual(expected)
  })

  it('reads a text token from standard output, trimmed', async () => {
    const source = command(node(`console.log(${JSON.stringify(SECRET)})`))
    expect(await source.acquire(acquireContext())).toEqual({ accessToken: SECRET })
    const forced = command(node('console.log("{opaque}")', [], { parse: 'text' }))
    expect(await forced.acquire(acquireContext())).toEqual({ accessToken: '{opaque}' })
  })

  it('hands standard output to a custom parser', async () => {
    const source = command(
      node(`console.log("token: ${SECRET}\\nexpires: 120")`, [], {
        parse: (text) => {
          const [, accessToken = '', seconds] = /token: (\S+)\nexpires: (\d+)/.exec(text) ?? []
          return { accessToken, expiresIn: Number(seconds) }
        },
      }),
    )
    expect(await source.acquire(acquireContext())).toEqual({ accessToken: SECRET, expiresIn: 120 })
  })

  it('gives a manager the token, recording the kind', async () => {
    await using manager = new TokenManager({ name: 'fly', source: command(node(`console.log("${SECRET}")`)), prefetch: 'lazy' })
    const token = await manager.getToken()
    expect(token.accessToken).toBe(SECRET)
    expect(token.source).toBe('command')
  })

  it('runs in the given directory with the given environment', async () => {
    const cwd = await temporaryDirectory()
    const script = 'console.log(JSON.stringify({ access_token: process.env.GIVEN, cwd: process.cwd() }))'
    let seen: { cwd?: string } = {}
    const source = command(
      node(script, [], {
        cwd,
        env: { GIVEN: SECRET },
        parse: (text) => {
          seen = JSON.parse(text)
          return { accessToken: 'ok' }
        },
      }),
    )
    await source.acquire(acquireContext())
    expect(seen).toEqual({ access_token: SECRET, cwd: expect.stringContaining('tokenwarden-') })
  })

  it('closes standard input, so a command waiting for input gets end-of-file instead of hanging', async () => {
    const script = `process.stdin.resume(); process.stdin.on("end", () => console.log("${SECRET}"))`
    expect(await command(node(script, [], { timeoutMs: 10_000 })).acquire(acquireContext())).toEqual({ accessToken: SECRET })
  })

  it('kills a hanging command after timeoutMs and fails with a transient SOURCE_TIMEOUT', async () => {
    const error = await rejection(command(node(HANG, [], { timeoutMs: 200 })).acquire(acquireContext()))
    expect(error).toBeInstanceOf(TokenError)
    expect(error).toMatchObject({ code: ErrorCode.SOURCE_TIMEOUT, transient: true })
    const child = lastChild()
    await exited(child)
    expect(child.signalCode).toBe('SIGKILL')
  })

  it('kills the command and rejects with the reason when the signal aborts', async () => {
    const dir = await temporaryDirectory()
    const ready = join(dir, 'ready')
    const script = `require("node:fs").writeFileSync(${JSON.stringify(ready)}, String(process.pid)); ${HANG}`
    const controller = new AbortController()
    const pending = command(node(script)).acquire(acquireContext({ signal: controller.signal }))
    const child = lastChild()
    await vi.waitFor(() => expect(existsSync(ready)).toBe(true), { timeout: 15_000, interval: 10 })
    expect(await readFile(ready, 'utf8')).toBe(String(child.pid))
    const reason = new Error('closing')
    controller.abort(reason)
    await expect(pending).rejects.toBe(reason)
    await exited(child)
    expect(child.signalCode).toBe('SIGKILL')
  })

  it('does not start when the signal is already aborted', async () => {
    const controller = new AbortController()
    const reason = new Error('closed')
    controller.abort(reason)
    const calls = vi.mocked(execFile).mock.calls.length
    await expect(command(node(HANG)).acquire(acquireContext({ signal: controller.signal }))).rejects.toBe(reason)
    expect(vi.mocked(execFile).mock.calls.length).toBe(calls)
  })

  it('fails with SOURCE_FAILED, the exit code and a stderr excerpt, never the token printed before failing', async () => {
    const script = [
      `process.stdout.write(JSON.stringify({ access_token: "${SECRET}" }))`,
      'process.stderr.write("error: the session expired, run login again\\n")',
      'process.exitCode = 3',
    ].join(';')
    const error = await rejection<unknown>(command(node(script, ['--password', `${SECRET}-arg`])).acquire(acquireContext()))
    expect(error).toBeInstanceOf(CommandFailedError)
    expect(error).toBeInstanceOf(TokenError)
    const failed = error as CommandFailedError
    expect(failed.code).toBe(ErrorCode.SOURCE_FAILED)
    expect(failed.exitCode).toBe(3)
    expect(failed.signal).toBeNull()
    expect(failed.stderr).toBe('error: the session expired, run login again')
    expect(failed.cause).toBeUndefined()
    expectNotLogged(failed, SECRET)
    expect(failed.stderr).not.toContain(SECRET)
  })

  it('redacts from the stderr excerpt the token printed on stdout and anything that looks like a token', async () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLXRoYXQtaXMtbG9uZw'
    const script = [
      `console.log("${SECRET}")`,
      `console.error("token=${SECRET} was refused")`,
      `console.error("Authorization: Bearer ${jwt}")`,
      'console.error("see /usr/local/lib/node_modules/some-cli/lib/index.js:12")',
      'process.exit(1)',
    ].join(';')
    const failed = (await rejection(command(node(script)).acquire(acquireContext()))) as CommandFailedError
    expect(failed.stderr).toContain('token=[redacted] was refused')
    expect(failed.stderr).toContain('Authorization: Bearer [redacted]')
    expect(failed.stderr).toContain('/usr/local/lib/node_modules/some-cli/lib/index.js:12')
    expectNotLogged(failed, SECRET, jwt, jwt.slice(-20))
  })

  it('redacts password=…, client_secret: …, "token": "…" and Authorization from the stderr excerpt, however short', async () => {
    const script = [
      'console.error("login failed: password=hunter2&user=bob")',
      'console.error(JSON.stringify({ client_secret: "cs-42", access_token: "at-7" }))',
      'console.error("Authorization: Basic dXNlcjpwdw==")',
      'console.error("retry with --api-key=k9")',
      'process.exit(1)',
    ].join(';')
    const failed = (await rejection(command(node(script)).acquire(acquireContext()))) as CommandFailedError
    expect(failed.code).toBe(ErrorCode.SOURCE_FAILED)
    expect(failed.stderr).toContain('password=[redacted]&user=bob')
    expect(failed.stderr).toContain('"client_secret":"[redacted]"')
    expect(failed.stderr).toContain('Authorization: Basic [redacted]')
    expectNotLogged(failed, 'hunter2', 'cs-42', 'at-7', 'dXNlcjpwdw', '=k9')
  })

  it('never parts a name from its value when the window read from stderr starts between them', async () => {
    // 8,000 characters after "password:", the window read; escapes and BELs vanish once read.
    const script = [
      'process.stderr.write("password:" + " hunter2 " + "\\u001b[0m".repeat(1997) + "\\u0007".repeat(3))',
      'process.exit(1)',
    ].join(';')
    const failed = (await rejection(command(node(script)).acquire(acquireContext()))) as CommandFailedError
    expect(failed.code).toBe(ErrorCode.SOURCE_FAILED)
    expectNotLogged(failed, 'hunter2')
  })

  it('keeps only the last ~500 characters of stderr, without a fragment of a cut token', async () => {
    const script = [
      `process.stderr.write("${SECRET} ".repeat(2000))`,
      `process.stderr.write("x".repeat(4000) + "${SECRET.slice(0, 12)}")`,
      'process.stderr.write("\\n\\u001b[31mfatal: last words\\u001b[0m\\n")',
      `process.stdout.write("${SECRET}")`,
      'process.exit(2)',
    ].join(';')
    const failed = (await rejection(command(node(script)).acquire(acquireContext()))) as CommandFailedError
    expect(failed.stderr.length).toBeLessThanOrEqual(500)
    expect(failed.stderr.endsWith('fatal: last words')).toBe(true)
    expectNotLogged(failed, SECRET)
  })

  it('reports a command ended by a signal', async () => {
    const failed = (await rejection(
      command(node('process.kill(process.pid, "SIGKILL")')).acquire(acquireContext()),
    )) as CommandFailedError
    expect(failed).toBeInstanceOf(CommandFailedError)
    expect(failed).toMatchObject({ code: ErrorCode.SOURCE_FAILED, exitCode: null, signal: 'SIGKILL' })
  })

  it('kills a command that prints more than 1 MiB and fails with a terminal SOURCE_FAILED', async () => {
    const script = `process.stdout.write("${SECRET}".repeat(200_000)); setInterval(() => {}, 1000)`
    const error = await rejection(command(node(script)).acquire(acquireContext()))
    expect(error).toBeInstanceOf(CommandFailedError)
    expect(error).toMatchObject({ code: ErrorCode.SOURCE_FAILED, transient: false })
    expectNotLogged(error, SECRET)
  })

  it('fails with a terminal SOURCE_UNAVAILABLE error when the command does not exist, quoting no argument', async () => {
    const source = command({ command: 'tokenwarden-no-such-cli', args: ['--client-secret', SECRET] })
    const error = await rejection(source.acquire(acquireContext()))
    expect(error).toBeInstanceOf(TokenError)
    expect(error).toMatchObject({ code: ErrorCode.SOURCE_UNAVAILABLE, transient: false })
    expect((error as Error).message).toContain('ENOENT')
    expectNotLogged(error, SECRET)
  })

  it('makes a manager fail at once when the command does not exist', async () => {
    await using manager = new TokenManager({
      source: command({ command: 'tokenwarden-no-such-cli' }),
      prefetch: 'lazy',
      retryDelay: () => 0,
    })
    await expect(manager.getToken()).rejects.toMatchObject({ code: ErrorCode.SOURCE_UNAVAILABLE })
    expect(manager.stats().attempts).toBe(1)
  })

  it('never quotes standard output when it is not valid JSON', async () => {
    const error = await rejection(command(node(`console.log('{"access_token":"${SECRET}"')`)).acquire(acquireContext()))
    expect(error).toMatchObject({ code: ErrorCode.MALFORMED, transient: false })
    expectNotLogged(error, SECRET)
  })

  it('refuses bad options with coded TypeErrors that do not quote the values', () => {
    const invalid = (options: unknown, option: string): void => {
      let thrown: unknown
      try {
        command(options as CommandOptions)
      } catch (error) {
        thrown = error
      }
      expect(thrown).toMatchObject({ name: 'TypeError', code: ErrorCode.INVALID_OPTION, option })
      expectNotLogged(thrown, SECRET)
    }
    invalid(undefined, 'options')
    invalid({ command: '' }, 'command')
    invalid({ command: 'cli', args: 'a b' }, 'args')
    invalid({ command: 'cli', args: ['ok', `${SECRET}\0`] }, 'args[1]')
    invalid({ command: 'cli', timeoutMs: 0 }, 'timeoutMs')
    invalid({ command: 'cli', timeoutMs: Number.POSITIVE_INFINITY }, 'timeoutMs')
    invalid({ command: 'cli', env: { TOKEN: `${SECRET}\0` } }, 'env.TOKEN')
    invalid({ command: 'cli', parse: 'yaml' }, 'parse')
  })
})

describe('redactNamedSecrets', () => {
  it.each([
    ['password=hunter2', 'hunter2'],
    ['PASSWORD=hunter2', 'hunter2'],
    ['Password: hunter2', 'hunter2'],
    ['passwd=hunter2', 'hunter2'],
    ['db_password = hunter2', 'hunter2'],
    ['"password": "hunter2"', 'hunter2'],
    ['{"password":"hunter2","user":"bob"}', 'hunter2'],
    ["{'password': 'hunter2'}", 'hunter2'],
    ['"password": "with \\"escaped\\" quotes"', 'escaped'],
    ['secret=s3cr3t', 's3cr3t'],
    ['client_secret=s3cr3t', 's3cr3t'],
    ['CLIENT_SECRET: s3cr3t', 's3cr3t'],
    ['"client_secret": "s3cr3t"', 's3cr3t'],
    ['token=tk1', 'tk1'],
    ['token: tk1', 'tk1'],
    ['"token": "tk1"', 'tk1'],
    ['access_token=at1', 'at1'],
    ['"access_token": "at1"', 'at1'],
    ['Access-Token: at1', 'at1'],
    ['refresh_token=rt1', 'rt1'],
    ['"refresh_token":"rt1"', 'rt1'],
    ['api_key=ak1', 'ak1'],
    ['api-key: ak1', 'ak1'],
    ['apikey=ak1', 'ak1'],
    ['"apiKey": "ak1"', 'ak1'],
    ['X-API-Key: ak1', 'ak1'],
    ['Authorization: Bearer bt1', 'bt1'],
    ['authorization: basic dXNlcjpwdw==', 'dXNlcjpwdw'],
    ['"Authorization": "Bearer bt1"', 'bt1'],
    ['"authorization": "bt1"', 'bt1'],
    ['authorization=Token ghp1', 'ghp1'],
    ['proxy-authorization: Basic dXNlcjpwdw==', 'dXNlcjpwdw'],
    ['the request sent Bearer bt1X to the API', 'bt1X'],
    ['DPoP eyJ0eXAiOiJkcG9wK2p3dCJ9 was refused', 'eyJ0eXAiOiJkcG9wK2p3dCJ9'],
    ['fetching https://bob:hunter2@registry.example.com/x', 'hunter2'],
    ['private_key=pk1', 'pk1'],
    ['{\\"password\\":\\"hunter2\\"}', 'hunter2'],
    ['msg="{\\"client_secret\\": \\"s3 cr3t\\"}"', 'cr3t'],
    ['--client-secret=s3cr3t', 's3cr3t'],
  ])('%s', (line, secret) => {
    const redacted = redactNamedSecrets(line)
    expect(redacted).not.toContain(secret)
    expect(redacted).toContain('[redacted]')
  })

  it.each([
    'Basic authentication failed',
    'user=bob expires_in=3600',
    'see /usr/local/lib/node_modules/some-cli/lib/index.js:12',
    'error: the session expired, run login again',
    'time: 12:30:00',
  ])('leaves ordinary text alone: %s', (line) => {
    expect(redactNamedSecrets(line)).toBe(line)
  })

  it('keeps the key, the quotes and the authorization scheme', () => {
    expect(redactNamedSecrets('password=hunter2&user=bob')).toBe('password=[redacted]&user=bob')
    expect(redactNamedSecrets('{"client_secret": "s3cr3t", "id": 1}')).toBe('{"client_secret": "[redacted]", "id": 1}')
    expect(redactNamedSecrets('"authorization": "Bearer bt1"')).toBe('"authorization": "Bearer [redacted]"')
    expect(redactNamedSecrets('Authorization: Bearer bt1')).toBe('Authorization: Bearer [redacted]')
    expect(redactNamedSecrets('{\\"token\\":\\"tk1\\",\\"id\\":2}')).toBe('{\\"token\\":\\"[redacted]\\",\\"id\\":2}')
  })

  it('stays fast on hostile text as long as the excerpt reads (8,000 characters)', () => {
    const hostile = `${'token="'.repeat(500)}\n${'a=b='.repeat(250)}\n${'a'.repeat(3000)}=`
    const started = performance.now()
    redactNamedSecrets(hostile)
    expect(performance.now() - started).toBeLessThan(2000)
  })
})
