import { acquireContext, expectNotLogged, rejection } from '@tokenwarden/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { ErrorCode, TokenError } from '../../src/errors.ts'
import { env } from '../../src/sources/env.ts'
import { TokenManager } from '../../src/token-manager.ts'

const NAME = 'TOKENWARDEN_TEST_ENV_TOKEN'
const SECRET = 'env-secret-73a9d1f0'

afterEach(() => {
  delete process.env[NAME]
})

describe('env', () => {
  it('reads the variable afresh at each acquisition', async () => {
    const source = env(NAME)
    process.env[NAME] = `${SECRET}-1`
    expect(await source.acquire(acquireContext())).toEqual({ accessToken: `${SECRET}-1` })
    process.env[NAME] = `${SECRET}-2`
    expect(await source.acquire(acquireContext())).toEqual({ accessToken: `${SECRET}-2` })
  })

  it('picks up a new value at the next refresh of a manager', async () => {
    process.env[NAME] = `${SECRET}-old`
    await using manager = new TokenManager({ name: 'api', source: env(NAME), prefetch: 'lazy' })
    expect((await manager.getToken()).accessToken).toBe(`${SECRET}-old`)
    process.env[NAME] = `${SECRET}-new`
    const token = await manager.refresh()
    expect(token.accessToken).toBe(`${SECRET}-new`)
    expect(token.source).toBe('env')
  })

  it('trims the value', async () => {
    process.env[NAME] = `  ${SECRET}\n`
    expect(await env(NAME).acquire(acquireContext())).toEqual({ accessToken: SECRET })
  })

  it.each([
    ['unset', undefined],
    ['empty', ''],
    ['blank', ' \n '],
  ])('fails with a terminal SOURCE_UNAVAILABLE error when the variable is %s', async (_, value) => {
    if (value !== undefined) process.env[NAME] = value
    const error = await rejection(env(NAME).acquire(acquireContext()))
    expect(error).toBeInstanceOf(TokenError)
    expect(error).toMatchObject({ code: ErrorCode.SOURCE_UNAVAILABLE, transient: false })
    expect((error as Error).message).toContain(NAME)
  })

  it('makes a manager fail at once, without retries, when the variable is unset', async () => {
    await using manager = new TokenManager({ source: env(NAME), prefetch: 'lazy', retryDelay: () => 0 })
    await expect(manager.getToken()).rejects.toMatchObject({ code: ErrorCode.SOURCE_UNAVAILABLE })
    expect(manager.stats().attempts).toBe(1)
  })

  it('reads a JSON grant, by default when the value starts with "{"', async () => {
    process.env[NAME] = JSON.stringify({ access_token: SECRET, expires_in: 300, token_type: 'bearer' })
    expect(await env(NAME).acquire(acquireContext())).toEqual({ accessToken: SECRET, expiresIn: 300, tokenType: 'bearer' })
    expect(await env(NAME, { parse: 'json' }).acquire(acquireContext())).toMatchObject({ accessToken: SECRET })
  })

  it('keeps a value starting with "{" as text when told so', async () => {
    process.env[NAME] = '{opaque}'
    expect(await env(NAME, { parse: 'text' }).acquire(acquireContext())).toEqual({ accessToken: '{opaque}' })
  })

  it('hands the raw value to a custom parser', async () => {
    process.env[NAME] = `${SECRET}:120`
    const source = env(NAME, {
      parse: (text) => {
        const [accessToken = '', seconds] = text.split(':')
        return { accessToken, expiresIn: Number(seconds) }
      },
    })
    expect(await source.acquire(acquireContext())).toEqual({ accessToken: SECRET, expiresIn: 120 })
  })

  it('reads from the environment it is given instead of process.env', async () => {
    const variables: NodeJS.ProcessEnv = { [NAME]: `${SECRET}-given` }
    process.env[NAME] = 'ignored'
    const source = env(NAME, { env: variables })
    expect(await source.acquire(acquireContext())).toEqual({ accessToken: `${SECRET}-given` })
    delete variables[NAME]
    await expect(source.acquire(acquireContext())).rejects.toMatchObject({ code: ErrorCode.SOURCE_UNAVAILABLE })
  })

  it('never quotes the value in its errors, even when it is not valid JSON', async () => {
    process.env[NAME] = `{"access_token":"${SECRET}"`
    const error = await rejection(env(NAME).acquire(acquireContext()))
    expect(error).toMatchObject({ code: ErrorCode.MALFORMED, transient: false })
    expectNotLogged(error, SECRET)
  })

  it('lets the manager reject a string expires_in as malformed', async () => {
    process.env[NAME] = JSON.stringify({ access_token: SECRET, expires_in: '3600' })
    await using manager = new TokenManager({ source: env(NAME), prefetch: 'lazy' })
    const error = await rejection(manager.getToken())
    expect(error).toMatchObject({ code: ErrorCode.MALFORMED })
    expectNotLogged(error, SECRET)
  })

  it('refuses a bad name or parse option with coded TypeErrors', () => {
    expect(() => env('')).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'name' }))
    expect(() => env(NAME, { parse: 'xml' as never })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'parse' }))
  })
})
