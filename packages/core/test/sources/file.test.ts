import { rename, writeFile } from 'node:fs/promises'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { acquireContext, expectNotLogged, rejection, temporaryDirectory } from '@tokenwarden/test-utils'
import { describe, expect, it } from 'vitest'
import { ErrorCode, TokenError } from '../../src/errors.ts'
import { file } from '../../src/sources/file.ts'
import { TokenManager } from '../../src/token-manager.ts'

const SECRET = 'file-secret-e04b6a9c'

describe('file', () => {
  it('reads a text token, trimmed', async () => {
    const path = join(await temporaryDirectory(), 'token')
    await writeFile(path, `${SECRET}\n`)
    expect(await file({ path }).acquire(acquireContext())).toEqual({ accessToken: SECRET })
  })

  it('reads a JSON grant, by default when the content starts with "{"', async () => {
    const path = join(await temporaryDirectory(), 'token.json')
    await writeFile(path, JSON.stringify({ accessToken: SECRET, expiresIn: 600, refresh_in: 300 }))
    expect(await file({ path }).acquire(acquireContext())).toEqual({ accessToken: SECRET, expiresIn: 600, refreshIn: 300 })
    expect(await file({ path, parse: 'json' }).acquire(acquireContext())).toMatchObject({ accessToken: SECRET })
  })

  it('hands the raw content to a custom parser', async () => {
    const path = join(await temporaryDirectory(), 'token.env')
    await writeFile(path, `TOKEN=${SECRET}\n`)
    const source = file({ path, parse: (text) => ({ accessToken: text.trim().slice('TOKEN='.length) }) })
    expect(await source.acquire(acquireContext())).toEqual({ accessToken: SECRET })
  })

  it('accepts a file: URL', async () => {
    const path = join(await temporaryDirectory(), 'token')
    await writeFile(path, SECRET)
    expect(await file({ path: pathToFileURL(path) }).acquire(acquireContext())).toEqual({ accessToken: SECRET })
  })

  it('reads the file afresh at each acquisition, as a rotated projected token', async () => {
    const dir = await temporaryDirectory()
    const path = join(dir, 'token')
    await writeFile(path, `${SECRET}-1`)
    await using manager = new TokenManager({ name: 'k8s', source: file({ path }), prefetch: 'lazy' })
    expect((await manager.getToken()).accessToken).toBe(`${SECRET}-1`)
    await writeFile(join(dir, 'next'), `${SECRET}-2`)
    await rename(join(dir, 'next'), path)
    const token = await manager.refresh()
    expect(token.accessToken).toBe(`${SECRET}-2`)
    expect(token.source).toBe('file')
  })

  it('fails with a transient SOURCE_UNAVAILABLE error when the file is missing', async () => {
    const path = join(await temporaryDirectory(), 'absent')
    const error = await rejection(file({ path }).acquire(acquireContext()))
    expect(error).toBeInstanceOf(TokenError)
    expect(error).toMatchObject({ code: ErrorCode.SOURCE_UNAVAILABLE, transient: true })
  })

  it('lets a manager retry until a sidecar writes the missing file', async () => {
    const path = join(await temporaryDirectory(), 'token')
    await using manager = new TokenManager({ source: file({ path }), prefetch: 'lazy', retryDelay: () => 0 })
    manager.subscribe((event) => {
      if (event.type === 'refresh-failed') writeFileSync(path, SECRET)
    })
    expect((await manager.getToken()).accessToken).toBe(SECRET)
    expect(manager.stats()).toMatchObject({ attempts: 2, failures: 1 })
  })

  it('fails with a transient SOURCE_UNAVAILABLE error while the file is empty', async () => {
    const path = join(await temporaryDirectory(), 'token')
    await writeFile(path, '\n')
    await expect(file({ path }).acquire(acquireContext())).rejects.toMatchObject({
      code: ErrorCode.SOURCE_UNAVAILABLE,
      transient: true,
    })
  })

  it('fails with a terminal SOURCE_UNAVAILABLE error when the path is a directory', async () => {
    const dir = await temporaryDirectory()
    await expect(file({ path: dir }).acquire(acquireContext())).rejects.toMatchObject({
      code: ErrorCode.SOURCE_UNAVAILABLE,
      transient: false,
    })
  })

  it('stops with the signal’s reason when the acquisition is aborted', async () => {
    const path = join(await temporaryDirectory(), 'token')
    await writeFile(path, SECRET)
    const controller = new AbortController()
    const reason = new Error('closing')
    controller.abort(reason)
    await expect(file({ path }).acquire(acquireContext({ signal: controller.signal }))).rejects.toBe(reason)
  })

  it('never quotes the content in its errors', async () => {
    const path = join(await temporaryDirectory(), 'token.json')
    await writeFile(path, `{"access_token":"${SECRET}",`)
    const error = await rejection(file({ path }).acquire(acquireContext()))
    expect(error).toMatchObject({ code: ErrorCode.MALFORMED, transient: false })
    expectNotLogged(error, SECRET)
  })

  it('never quotes a token that holds characters a header cannot carry', async () => {
    const path = join(await temporaryDirectory(), 'token')
    await writeFile(path, `${SECRET}\nsecond line`)
    await using manager = new TokenManager({ source: file({ path }), prefetch: 'lazy' })
    const error = await rejection(manager.getToken())
    expect(error).toMatchObject({ code: ErrorCode.MALFORMED })
    expectNotLogged(error, SECRET)
  })

  it('refuses a missing path or a bad parse option with coded TypeErrors', () => {
    expect(() => file({ path: '' })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'path' }))
    expect(() => file(undefined as never)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'options' }))
    expect(() => file({ path: 'x', parse: 1 as never })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'parse' }))
  })
})
