import { Readable } from 'node:stream'
import { type RecordedRequest, sha256 } from '@tokenwarden/test-utils/http'
import { describe, expect, it } from 'vitest'
import { drivers } from './drivers/index.ts'
import type { TestBody } from './drivers/types.ts'
import { harness } from './harness.ts'

const bytes = Buffer.from(Array.from({ length: 65_536 }, (_, i) => (i * 31 + 7) % 256))

const json = { name: 'zoë', list: [1, 2, 3], nested: { ok: true } }
const params = { a: '1', b: 'two words', c: 'é&=' }

/** Each replayable body, and the bytes it must arrive as (undefined for a form: its boundary varies). */
const replayable: [string, () => TestBody, string | Buffer | undefined][] = [
  ['JSON', () => ({ kind: 'json', value: json }), JSON.stringify(json)],
  ['a string', () => ({ kind: 'string', value: 'héllo wörld ✓' }), 'héllo wörld ✓'],
  ['a Buffer (64 KiB)', () => ({ kind: 'buffer', value: bytes }), bytes],
  ['URLSearchParams', () => ({ kind: 'urlsearchparams', value: new URLSearchParams(params) }), 'a=1&b=two+words&c=%C3%A9%26%3D'],
  [
    'FormData',
    () => {
      const form = new FormData()
      form.append('field', 'value ✓')
      form.append('file', new Blob(['file contents'], { type: 'text/plain' }), 'notes.txt')
      return { kind: 'formdata', value: form }
    },
    undefined,
  ],
]

const chunks = ['first chunk, ', 'second chunk, ', 'third chunk']
const streamBody = (): TestBody => ({ kind: 'stream', value: () => Readable.from(chunks.map((c) => Buffer.from(c))) })
const streamed = chunks.join('')

describe.each(drivers)('$name: request bodies', (driver) => {
  it.each(replayable)('replays %s byte-identical after a 401', async (_, body, expected) => {
    const h = await harness(driver)
    await h.client.request({ url: h.server.url('/echo') })
    h.server.revokeAll()
    const response = await h.client.request({ method: 'POST', url: h.server.url('/upload'), body: body() })
    expect(response.status).toBe(200)
    const [first, retry] = h.server.requests.filter((r) => r.path === '/upload') as [RecordedRequest, RecordedRequest]
    expect([first.status, retry.status]).toEqual([401, 200])
    expect(retry.length).toBeGreaterThan(0)
    expect(retry.sha256).toBe(first.sha256)
    expect(retry.contentType).toBe(first.contentType)
    if (expected !== undefined) expect(retry.sha256).toBe(sha256(expected))
    else expect(retry.body).toMatch(/value ✓[\s\S]*notes\.txt[\s\S]*file contents/)
  })

  it('returns the 401 of a stream body as it is, the stream sent once and whole', async () => {
    const h = await harness(driver)
    await h.client.request({ url: h.server.url('/echo') })
    h.server.revokeAll()
    const response = await h.client.request({ method: 'POST', url: h.server.url('/upload'), body: streamBody() })
    expect(response.status).toBe(401)
    const uploads = h.server.requests.filter((r) => r.path === '/upload')
    expect(uploads).toHaveLength(1)
    expect(uploads[0]?.sha256).toBe(sha256(streamed))
  })

  it('replays a stream body buffered under maxReplayBytes', async () => {
    const h = await harness(driver, { auth: { maxReplayBytes: 1024 } })
    await h.client.request({ url: h.server.url('/echo') })
    h.server.revokeAll()
    const response = await h.client.request({ method: 'POST', url: h.server.url('/upload'), body: streamBody() })
    expect(response.status).toBe(200)
    const uploads = h.server.requests.filter((r) => r.path === '/upload')
    expect(uploads.map((r) => [r.status, r.sha256])).toEqual([
      [401, sha256(streamed)],
      [200, sha256(streamed)],
    ])
  })

  it('sends a stream over maxReplayBytes once and whole, and returns its 401', async () => {
    const h = await harness(driver, { auth: { maxReplayBytes: 16 } })
    await h.client.request({ url: h.server.url('/echo') })
    h.server.revokeAll()
    const response = await h.client.request({ method: 'POST', url: h.server.url('/upload'), body: streamBody() })
    expect(response.status).toBe(401)
    const uploads = h.server.requests.filter((r) => r.path === '/upload')
    expect(uploads.map((r) => [r.status, r.sha256])).toEqual([[401, sha256(streamed)]])
  })
})
