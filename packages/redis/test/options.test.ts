import { randomBytes } from 'node:crypto'
import { connect } from '@tokenwarden/test-utils/redis'
import { describe, expect, it } from 'vitest'
import { type RedisClientLike, type RedisStoreOptions, redisStore, redisStoreDefaults } from '../src/index.ts'

const client: RedisClientLike = {
  sendCommand: async () => null,
  duplicate: () => {
    throw new Error('not used')
  },
}

describe('options', () => {
  it.each<[string, unknown]>([
    ['options', null],
    ['client', { client: {} }],
    ['keyPrefix', { client, keyPrefix: 'a{b}' }],
    ['keyPrefix', { client, keyPrefix: 7 }],
    ['lease', { client, lease: 0 }],
    ['lease', { client, lease: 0.05 }],
    ['lease', { client, lease: Number.NaN }],
    ['timeout', { client, timeout: 0 }],
    ['timeout', { client, timeout: '1' }],
    ['encryption', { client, encryption: 'key' }],
    ['encryption.key', { client, encryption: { key: randomBytes(16) } }],
    ['encryption.key', { client, encryption: { key: 'x'.repeat(32) } }],
    ['encryption.previousKeys', { client, encryption: { key: randomBytes(32), previousKeys: randomBytes(32) } }],
    ['encryption.previousKeys[1]', { client, encryption: { key: randomBytes(32), previousKeys: [randomBytes(32), 1] } }],
    ['onEvent', { client, onEvent: 'log' }],
    ['clock', { client, clock: {} }],
  ])('rejects a bad %s with a coded TypeError naming it, never its value', (option, options) => {
    let thrown: unknown
    try {
      redisStore(options as RedisStoreOptions)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(TypeError)
    expect(thrown).toMatchObject({ code: 'TOKEN_INVALID_OPTION', option })
  })

  it('documents its defaults: prefix tokenwarden:, a 10 s lease, 0.25 s per Redis call', () => {
    expect(redisStoreDefaults).toEqual({ keyPrefix: 'tokenwarden:', leaseInSeconds: 10, timeoutInSeconds: 0.25 })
  })

  it('rejects an empty store key with a coded TypeError', async () => {
    const store = redisStore({ client })
    await expect(store.get('')).rejects.toMatchObject({ code: 'TOKEN_INVALID_OPTION', option: 'key' })
    await store.close()
  })
})

describe('the Redis the tests use', () => {
  it('fails with a message saying how to start one when none answers', async () => {
    const failure = await connect('redis://127.0.0.1:1').catch((error: unknown) => error)
    expect(String((failure as Error).message)).toMatch(/No Redis answers at redis:\/\/127\.0\.0\.1:1\. Start one with `redis-server/)
  })
})
