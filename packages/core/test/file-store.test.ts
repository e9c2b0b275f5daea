import { execFile } from 'node:child_process'
import { chmod, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { temporaryDirectory } from '@tokenwarden/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ErrorCode } from '../src/errors.ts'
import { fromFunction } from '../src/sources/from-function.ts'
import { FileStore } from '../src/stores/file-store.ts'
import { TokenManager } from '../src/token-manager.ts'
import type { TokenRecord } from '../src/token.ts'

const SECRET = 'store-secret-8e51c07d'
const onWindows = process.platform === 'win32'

function record(n: number): TokenRecord {
  return {
    accessToken: `${SECRET}-${n}`,
    tokenType: 'Bearer',
    expiresAt: 2_000_000_000_000 + n,
    refreshAt: 1_999_999_000_000 + n,
    scope: ['read', 'write'],
    refreshToken: `refresh-${SECRET}-${n}`,
    issuedAt: 1_700_000_000_000,
    source: 'test',
  }
}

async function readStoreFile(path: string): Promise<{ version: number; tokens: Record<string, TokenRecord> }> {
  return JSON.parse(await readFile(path, 'utf8'))
}

/** Silences and records process warnings. */
function warnings() {
  return vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
}

afterEach(() => {
  vi.restoreAllMocks()
  vi.useRealTimers()
})

describe('FileStore', () => {
  it('keeps every key in one versioned JSON file, readable by another instance', async () => {
    const path = join(await temporaryDirectory(), 'tokens.json')
    const store = new FileStore({ path })
    await store.set('graph', record(1))
    await store.set('github', record(2))
    expect(await new FileStore({ path }).get('graph')).toEqual(record(1))
    expect(await readStoreFile(path)).toEqual({ version: 1, tokens: { graph: record(1), github: record(2) } })
    await store.delete('graph')
    expect(await store.get('graph')).toBeUndefined()
    expect(await store.get('github')).toEqual(record(2))
  })

  it('stores a copy: changing the record afterwards changes nothing', async () => {
    const store = new FileStore({ path: join(await temporaryDirectory(), 'tokens.json') })
    const original = record(1)
    const pending = store.set('k', original)
    original.scope.push('admin')
    await pending
    expect((await store.get('k'))?.scope).toEqual(['read', 'write'])
  })

  it('answers undefined for a missing file or key, warns about nothing, and creates nothing', async () => {
    const dir = await temporaryDirectory()
    const warn = warnings()
    const store = new FileStore({ path: join(dir, 'sub', 'tokens.json') })
    expect(await store.get('graph')).toBeUndefined()
    await store.delete('graph')
    expect(await readdir(dir)).toEqual([])
    await store.set('other', record(1))
    expect(await store.get('graph')).toBeUndefined()
    expect(warn).not.toHaveBeenCalled()
  })

  it.skipIf(onWindows)('creates the file with mode 0600, and a missing directory with mode 0700', async () => {
    const dir = join(await temporaryDirectory(), 'nested', 'deeper')
    const path = join(dir, 'tokens.json')
    await new FileStore({ path }).set('k', record(1))
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect((await stat(dir)).mode & 0o777).toBe(0o700)
  })

  it.skipIf(onWindows)('narrows a file that was readable by others to 0600 on the next write', async () => {
    const path = join(await temporaryDirectory(), 'tokens.json')
    await writeFile(path, JSON.stringify({ version: 1, tokens: {} }))
    await chmod(path, 0o644)
    await new FileStore({ path }).set('k', record(1))
    expect((await stat(path)).mode & 0o777).toBe(0o600)
  })

  it.skipIf(onWindows)('uses the mode it is given', async () => {
    const path = join(await temporaryDirectory(), 'tokens.json')
    await new FileStore({ path, mode: 0o640 }).set('k', record(1))
    expect((await stat(path)).mode & 0o777).toBe(0o640)
  })

  it('leaves a valid file with complete records after 20 concurrent sets from several instances, and no temporary file', async () => {
    const dir = await temporaryDirectory()
    const path = join(dir, 'tokens.json')
    const stores = Array.from({ length: 4 }, () => new FileStore({ path }))
    const written = Array.from({ length: 20 }, (_, n) => ({ key: `key-${n % 3}`, value: record(n) }))
    await Promise.all(written.map(({ key, value }, n) => stores[n % stores.length]?.set(key, value)))
    const content = await readStoreFile(path)
    expect(content.version).toBe(1)
    const keys = Object.keys(content.tokens)
    expect(keys.length).toBeGreaterThan(0)
    for (const key of keys) {
      const candidates = written.filter((w) => w.key === key).map((w) => w.value)
      expect(candidates).toContainEqual(content.tokens[key])
    }
    expect(await readdir(dir)).toEqual(['tokens.json'])
  })

  it('loses no write of one instance: 20 concurrent sets of distinct keys all land', async () => {
    const path = join(await temporaryDirectory(), 'tokens.json')
    const store = new FileStore({ path })
    await Promise.all(Array.from({ length: 20 }, (_, n) => store.set(`key-${n}`, record(n))))
    const { tokens } = await readStoreFile(path)
    expect(Object.keys(tokens).sort()).toEqual(Array.from({ length: 20 }, (_, n) => `key-${n}`).sort())
    expect(tokens['key-7']).toEqual(record(7))
  })

  it.skipIf(!(process.features as { typescript?: unknown }).typescript)(
    'leaves a valid file when several processes write at once',
    async () => {
      const dir = await temporaryDirectory()
      const path = join(dir, 'tokens.json')
      const moduleUrl = new URL('../src/stores/file-store.ts', import.meta.url).href
      const script = `
        const { FileStore } = await import(${JSON.stringify(moduleUrl)})
        const [path, id] = process.argv.slice(1)
        const store = new FileStore({ path })
        await Promise.all(Array.from({ length: 10 }, (_, n) => store.set('shared', {
          accessToken: 'p' + id + '-' + n, tokenType: 'Bearer', scope: [], issuedAt: n, source: 'process-' + id,
        })))`
      const run = promisify(execFile)
      await Promise.all(
        ['1', '2', '3', '4'].map((id) =>
          run(process.execPath, ['--no-warnings', '--input-type=module', '-e', script, '--', path, id]),
        ),
      )
      const { version, tokens } = await readStoreFile(path)
      expect(version).toBe(1)
      expect(tokens.shared).toMatchObject({ accessToken: expect.stringMatching(/^p[1-4]-\d$/), tokenType: 'Bearer' })
      expect(await readdir(dir)).toEqual(['tokens.json'])
    },
  )

  it.each([
    ['invalid JSON', `{"version":1,"tokens":{"k":{"accessToken":"${SECRET}"`],
    ['JSON of the wrong shape', JSON.stringify([SECRET])],
    ['another version', JSON.stringify({ version: 2, tokens: {} })],
    ['a record of the wrong shape', JSON.stringify({ version: 1, tokens: { k: { accessToken: SECRET } } })],
  ])('treats a file holding %s as empty, warns without quoting it, and repairs it on the next set', async (_, text) => {
    const path = join(await temporaryDirectory(), 'tokens.json')
    await writeFile(path, text)
    const warn = warnings()
    const store = new FileStore({ path })
    expect(await store.get('k')).toBeUndefined()
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn).toHaveBeenCalledWith(expect.any(String), expect.objectContaining({ code: 'TOKENWARDEN_STORE_CORRUPT' }))
    expect(JSON.stringify(warn.mock.calls)).not.toContain(SECRET)
    await store.set('k', record(1))
    expect(await readStoreFile(path)).toEqual({ version: 1, tokens: { k: record(1) } })
    expect(await store.get('k')).toEqual(record(1))
  })

  it('keeps a key named __proto__ as an ordinary key', async () => {
    const path = join(await temporaryDirectory(), 'tokens.json')
    const store = new FileStore({ path })
    await store.set('__proto__', record(1))
    await store.set('other', record(2))
    expect(await store.get('__proto__')).toEqual(record(1))
    expect(await store.get('constructor')).toBeUndefined()
    expect(Object.keys((await readStoreFile(path)).tokens)).toEqual(['__proto__', 'other'])
  })

  it('rejects a write that fails and goes on with the next one', async () => {
    const dir = await temporaryDirectory()
    const path = join(dir, 'tokens.json')
    await mkdir(path)
    const store = new FileStore({ path })
    const failed = store.set('k', record(1))
    const next = store.set('k', record(2))
    await expect(failed).rejects.toMatchObject({ code: 'EISDIR' })
    await expect(next).rejects.toMatchObject({ code: 'EISDIR' })
    await rm(path, { recursive: true })
    await store.set('k', record(3))
    expect(await store.get('k')).toEqual(record(3))
    expect(await readdir(dir)).toEqual(['tokens.json'])
  })

  it('lets a restarted manager use the stored token without calling its source', async () => {
    const path = join(await temporaryDirectory(), 'state', 'tokens.json')
    const before = new TokenManager({
      name: 'api',
      source: fromFunction(() => ({ accessToken: SECRET, expiresIn: 3600, scope: 'read' })),
      store: new FileStore({ path }),
      prefetch: 'lazy',
    })
    const original = await before.getToken()
    await before.close()

    const source = vi.fn(() => ({ accessToken: 'fresh', expiresIn: 3600 }))
    await using after = new TokenManager({ name: 'api', source: fromFunction(source), store: new FileStore({ path }), prefetch: 'lazy' })
    const restored = await after.getToken()
    expect(source).not.toHaveBeenCalled()
    expect(restored.accessToken).toBe(SECRET)
    expect(restored).toMatchObject({ expiresAt: original.expiresAt, scope: ['read'], source: 'function' })
  })

  it('lets a restarted manager call its source when the stored token expired meanwhile', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2030-01-01T00:00:00Z') })
    const path = join(await temporaryDirectory(), 'tokens.json')
    const before = new TokenManager({
      name: 'api',
      source: fromFunction(() => ({ accessToken: SECRET, expiresIn: 60 })),
      store: new FileStore({ path }),
      prefetch: 'lazy',
    })
    await before.getToken()
    await before.close()
    vi.setSystemTime(new Date('2030-01-01T02:00:00Z'))

    const source = vi.fn(() => ({ accessToken: 'fresh', expiresIn: 3600 }))
    await using after = new TokenManager({ name: 'api', source: fromFunction(source), store: new FileStore({ path }), prefetch: 'lazy' })
    expect((await after.getToken()).accessToken).toBe('fresh')
    expect(source).toHaveBeenCalledTimes(1)
    expect((await readStoreFile(path)).tokens.api?.accessToken).toBe('fresh')
  })

  it('refuses bad options with coded TypeErrors', () => {
    expect(() => new FileStore({ path: '' })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'path' }))
    expect(() => new FileStore({ path: 'x', mode: 0o1777 })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'mode' }))
    expect(() => new FileStore(undefined as never)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'options' }))
  })
})
