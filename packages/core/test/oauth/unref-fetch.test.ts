import { afterEach, describe, expect, it, vi } from 'vitest'
import { unrefFetch } from '../../src/oauth/unref-fetch.ts'

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})

describe('unrefFetch', () => {
  it('sends with the global fetch where the runtime has no node:http (browsers, workerd)', async () => {
    vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined)
    const fetch = vi.fn(async () => new Response('{"ok":true}', { status: 200 }))
    vi.stubGlobal('fetch', fetch)
    const init = { method: 'POST', body: new URLSearchParams({ a: '1' }), redirect: 'manual' as const }
    const response = await unrefFetch('https://as.example.com/token', init)
    expect(await response.json()).toEqual({ ok: true })
    expect(fetch).toHaveBeenCalledWith('https://as.example.com/token', init)
  })
})
