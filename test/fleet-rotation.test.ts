import { type LoopbackServer, listen, readBody, sendJson } from '@tokenwarden/test-utils/http'
import { REDIS_URL, type TestClient, cleanPrefix, connect, testPrefix } from '@tokenwarden/test-utils/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Pod, type PodCommand, type PodToken } from './fleet/pod.ts'

// 8 forked pods share one refresh-token credential through Redis, against a token endpoint that
// rotates refresh tokens and, like a server with reuse detection, answers `invalid_grant` to a
// refresh token redeemed twice and from then on revokes the whole family. Pods 0–3 hear of their
// peers' tokens by pub/sub; pods 4–7 do not (as when messages are lost): they learn of them only
// when they ask the store.
const prefix = testPrefix()

/** Attempts to redeem each refresh token, the rejected ones included. */
const redemptions = new Map<string, number>()
/** Refresh tokens redeemed a second time. */
const reused: string[] = []
let revoked = false
let issued = 0
let latestRefreshToken = 'rt-0'
/** The endpoint answers once this opens: every pod's call has begun by then. */
let gate: Promise<void> = Promise.resolve()

const pods: Pod[] = []
let server: LoopbackServer
let admin: TestClient

beforeAll(async () => {
  admin = await connect()
  server = await listen(async (request, response) => {
    const presented = new URLSearchParams((await readBody(request)).toString()).get('refresh_token') ?? ''
    const seen = redemptions.get(presented) ?? 0
    redemptions.set(presented, seen + 1)
    if (seen > 0) {
      reused.push(presented)
      revoked = true
    }
    await gate
    if (revoked || presented !== latestRefreshToken) return sendJson(response, 400, { error: 'invalid_grant' })
    issued++
    latestRefreshToken = `rt-${issued}`
    sendJson(response, 200, { access_token: `rotated-${issued}`, token_type: 'Bearer', expires_in: 3600, refresh_token: latestRefreshToken })
  })
  for (let i = 0; i < 8; i++) {
    pods.push(new Pod([server.url('/token'), REDIS_URL, prefix, '1', String(i)], { refreshToken: 'rt-0', watch: i < 4 }))
  }
  await Promise.all(pods.map((pod) => pod.ready))
}, 60_000)

afterAll(async () => {
  await Promise.all(pods.map((pod) => pod.close()))
  await server.close()
  await cleanPrefix(admin, prefix)
  admin.destroy()
})

/**
 * Runs `command` in each of `members` at once: the token endpoint answers only once every pod's call
 * has begun, so no pod starts after the others already finished. Returns what each pod ended on
 * and the token requests made.
 */
async function atOnce(
  command: PodCommand,
  members: readonly Pod[] = pods,
): Promise<{ ended: PodToken[]; failures: string[]; requests: number }> {
  const before = totalRedemptions()
  let open!: () => void
  gate = new Promise((resolve) => (open = resolve))
  const runs = members.map((pod) => pod.run(command))
  await Promise.all(runs.map((run) => run.started))
  open()
  const settled = await Promise.allSettled(runs.map((run) => run.done))
  const ended = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
  const failures = settled.flatMap((result) => (result.status === 'rejected' ? [String((result.reason as Error).message)] : []))
  return { ended, failures, requests: totalRedemptions() - before }
}

function totalRedemptions(): number {
  return [...redemptions.values()].reduce((sum, n) => sum + n, 0)
}

const accessTokens = (ended: readonly PodToken[]): Set<string> => new Set(ended.map((token) => token.accessToken))

describe('8 processes sharing a rotating refresh token through Redis', () => {
  it('redeem each refresh token exactly once when all of them force a refresh at once, cycle after cycle, and all end on the same tokens', async () => {
    const first = await atOnce({ op: 'get' })
    expect(first.failures).toEqual([])
    expect(first.requests).toBe(1)
    expect(accessTokens(first.ended)).toEqual(new Set(['rotated-1']))
    for (let cycle = 0; cycle < 4; cycle++) {
      const { ended, failures, requests } = await atOnce({ op: 'refresh' })
      expect(failures).toEqual([])
      expect(requests).toBe(1)
      expect(accessTokens(ended)).toEqual(new Set([`rotated-${issued}`]))
      expect(new Set(ended.map((token) => token.refreshToken))).toEqual(new Set([latestRefreshToken]))
    }
    expect(issued).toBe(5)
    expect(reused).toEqual([])
    expect([...redemptions.values()]).toEqual([1, 1, 1, 1, 1])
  })

  it('make no token request for a late 401 carrying an older token, and keep the newer one stored', async () => {
    const { ended: before } = await atOnce({ op: 'get' })
    const older = [...accessTokens(before)][0] as string
    const renewed = await atOnce({ op: 'refresh' }, [pods[0] as Pod])
    expect(renewed.requests).toBe(1)
    const newer = renewed.ended[0]?.accessToken
    expect(newer).not.toBe(older)
    const late = await atOnce({ op: 'reject', token: older })
    expect(late.failures).toEqual([])
    expect(late.requests).toBe(0)
    expect(accessTokens(late.ended)).toEqual(new Set([newer]))
    const after = await atOnce({ op: 'get' })
    expect(after.requests).toBe(0)
    expect(accessTokens(after.ended)).toEqual(new Set([newer]))
    expect(reused).toEqual([])
  })
})
