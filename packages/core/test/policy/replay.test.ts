import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { bufferBody, isReplayableBody } from '../../src/policy/replay.ts'

describe('isReplayableBody', () => {
  it.each([
    ['nothing', undefined],
    ['null', null],
    ['a string', 'x'],
    ['a Buffer', Buffer.from('x')],
    ['a Uint8Array', new Uint8Array(2)],
    ['an ArrayBuffer', new ArrayBuffer(2)],
    ['URLSearchParams', new URLSearchParams('a=1')],
    ['FormData', new FormData()],
    ['a Blob', new Blob(['x'])],
  ])('replays %s', (_name, body) => {
    expect(isReplayableBody(body)).toBe(true)
  })

  it.each([
    ['a Readable', Readable.from(['x'])],
    ['a ReadableStream', new ReadableStream()],
    ['an async generator', (async function* () {})()],
    ['a plain object', { a: 1 }],
  ])('does not replay %s', (_name, body) => {
    expect(isReplayableBody(body)).toBe(false)
  })
})

describe('bufferBody', () => {
  it('buffers a stream that fits under the cap', async () => {
    const result = await bufferBody(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), 4)
    expect(result.buffered).toBe(true)
    expect(new TextDecoder().decode(result.body as Uint8Array)).toBe('abcd')
  })

  it('gives back a complete stream when it does not fit, so the first send loses nothing', async () => {
    const chunks = Array.from({ length: 10 }, (_, i) => Buffer.from(`chunk-${i};`))
    const result = await bufferBody(Readable.from(chunks), 15)
    expect(result.buffered).toBe(false)
    const parts: Buffer[] = []
    for await (const part of result.body as AsyncIterable<Uint8Array>) parts.push(Buffer.from(part))
    expect(Buffer.concat(parts).toString()).toBe(Buffer.concat(chunks).toString())
  })
})

describe('form data from other implementations', () => {
  it('replays a FormData of another class (undici ships its own), recognised by its tag', () => {
    class OtherFormData {
      get [Symbol.toStringTag](): string {
        return 'FormData'
      }
    }
    expect(isReplayableBody(new OtherFormData())).toBe(true)
  })

  it('does not replay a stream that calls itself FormData (the form-data package)', () => {
    const streamy = Object.assign(Readable.from(['--boundary']), { [Symbol.toStringTag]: 'FormData' })
    expect(isReplayableBody(streamy)).toBe(false)
  })
})
