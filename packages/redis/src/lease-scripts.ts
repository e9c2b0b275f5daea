import { createHash } from 'node:crypto'
import type { RedisClientLike } from './redis-client.ts'

/** A Lua script and its SHA-1, for `EVALSHA` with an `EVAL` fallback. */
export interface Script {
  readonly source: string
  readonly sha: string
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') }
}

/**
 * Every script takes `KEYS = { token, lease, fence }` of one store key (one hash tag: one slot).
 * Those that publish take the store's channel and the store key too: every message goes to the one
 * channel of the prefix and names its store key last (see `messageKey`).
 * Fences: `fence.issued` grows with each lease and each `set`; `fence.committed` is the fence of the
 * last write, kept when the record is deleted or expires, so a late writer with an older fence never
 * writes again. A new fence is always above both, even if the fence hash was lost.
 */
const NEXT_FENCE = `
local function nextFence()
  local fence = redis.call('HINCRBY', KEYS[3], 'issued', 1)
  local floor = math.max(tonumber(redis.call('HGET', KEYS[3], 'committed') or '0'),
                         tonumber(redis.call('HGET', KEYS[1], 'fence') or '0'))
  if fence <= floor then
    fence = floor + 1
    redis.call('HSET', KEYS[3], 'issued', fence)
  end
  return fence
end
local function newer(fence)
  return fence > tonumber(redis.call('HGET', KEYS[3], 'committed') or '0')
     and fence > tonumber(redis.call('HGET', KEYS[1], 'fence') or '0')
end
local function write(fence, rec, fp, ttl)
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'rec', rec, 'fence', fence, 'fp', fp)
  if ttl ~= '' then redis.call('PEXPIRE', KEYS[1], ttl) end
  redis.call('HSET', KEYS[3], 'committed', fence)
end
`

/**
 * ACQUIRE. ARGV: lease ms, fence of a stored record the caller could not use ('' for none).
 * Answers `{'record', rec, fence}` for any other stored record; else `{'held', pttl}` while a lease
 * is held; else takes the lease: `{'lease', fence}`.
 */
export const ACQUIRE: Script = script(`${NEXT_FENCE}
local stored = redis.call('HMGET', KEYS[1], 'rec', 'fence')
if stored[1] and stored[2] ~= ARGV[2] then return {'record', stored[1], stored[2]} end
local pttl = redis.call('PTTL', KEYS[2])
if pttl == -1 then
  redis.call('PEXPIRE', KEYS[2], ARGV[1])
  pttl = tonumber(ARGV[1])
end
if pttl > 0 then return {'held', pttl} end
local fence = nextFence()
redis.call('SET', KEYS[2], fence, 'PX', ARGV[1])
return {'lease', fence}
`)

/** RENEW. ARGV: fence, lease ms. 1 when the lease was still the caller's and is extended, else 0. */
export const RENEW: Script = script(`
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
  return 1
end
return 0
`)

/**
 * COMMIT. ARGV: fence, rec, fp, ttl ms ('' for none), channel, origin, store key. Writes only when the
 * fence is newer than the last write, drops the lease if still the caller's, publishes. Answers
 * `{'committed'}`, or `{'stale', rec, fence}` with the newer record that stays.
 */
export const COMMIT: Script = script(`${NEXT_FENCE}
local fence = tonumber(ARGV[1])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
if not newer(fence) then
  local stored = redis.call('HMGET', KEYS[1], 'rec', 'fence')
  redis.call('PUBLISH', ARGV[5], 'released|' .. ARGV[1] .. '|||' .. ARGV[7])
  return {'stale', stored[1], stored[2]}
end
write(fence, ARGV[2], ARGV[3], ARGV[4])
redis.call('PUBLISH', ARGV[5], 'new|' .. ARGV[1] .. '|' .. ARGV[3] .. '|' .. ARGV[6] .. '|' .. ARGV[7])
return {'committed'}
`)

/** RELEASE. ARGV: fence, channel, store key. Drops the lease if still the caller's and tells the waiters. */
export const RELEASE: Script = script(`
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
  redis.call('PUBLISH', ARGV[2], 'released|' .. ARGV[1] .. '|||' .. ARGV[3])
  return 1
end
return 0
`)

/**
 * SET (a manual write, newest wins). ARGV: rec, fp, ttl ms ('' for none), channel, origin, store key.
 * Answers the fence.
 */
export const SET: Script = script(`${NEXT_FENCE}
local fence = nextFence()
write(fence, ARGV[1], ARGV[2], ARGV[3])
redis.call('PUBLISH', ARGV[4], 'new|' .. fence .. '|' .. ARGV[2] .. '|' .. ARGV[5] .. '|' .. ARGV[6])
return fence
`)

/**
 * INVALIDATE_IF_SAME. ARGV: channel, origin, store key, then the candidate fingerprints. Deletes the record
 * when its fingerprint is one of them; 1 if it did, else 0.
 */
export const INVALIDATE_IF_SAME: Script = script(`
local fp = redis.call('HGET', KEYS[1], 'fp')
if not fp then return 0 end
for i = 4, #ARGV do
  if ARGV[i] == fp then
    redis.call('DEL', KEYS[1])
    redis.call('PUBLISH', ARGV[1], 'invalidated||' .. fp .. '|' .. ARGV[2] .. '|' .. ARGV[3])
    return 1
  end
end
return 0
`)

/** Runs `script` with `EVALSHA`, loading it with `EVAL` when Redis does not know it yet. */
export async function runScript(
  client: RedisClientLike,
  { source, sha }: Script,
  keys: readonly string[],
  args: readonly string[],
): Promise<unknown> {
  const tail = [String(keys.length), ...keys, ...args]
  try {
    return await client.sendCommand(['EVALSHA', sha, ...tail])
  } catch (error) {
    if (!String((error as { message?: unknown } | undefined)?.message).startsWith('NOSCRIPT')) throw error
    return client.sendCommand(['EVAL', source, ...tail])
  }
}
