import type { IncomingMessage, ServerResponse } from 'node:http'
import { proofKey } from './dpop-check.ts'
import { readBody, sendJson } from './http-io.ts'
import type { WorldState } from './world-state.ts'

const GRANTS = new Set(['client_credentials', 'refresh_token'])

/**
 * The token endpoint: `POST` with a form body, `client_credentials` or `refresh_token` grant; the
 * client is named by `client_id` in the body or by HTTP Basic. Answers RFC 6749 JSON, or 503
 * `temporarily_unavailable` while the `unavailable` knob is on; waits `tokenLatencyMs` first. A
 * request carrying a DPoP proof gets a token bound to the proof's key, `token_type: DPoP` (RFC 9449
 * §5); the proof is read for its key only.
 */
export function tokenEndpoint(state: WorldState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void readBody(req).then(async (body) => {
      const form = new URLSearchParams(body)
      const clientId = form.get('client_id') ?? basicUser(req.headers.authorization) ?? 'anonymous'
      const counters = state.counters(clientId)
      counters.tokenCalls++
      const { tokenLatencyMs, unavailable, ttlSeconds, refreshInSeconds } = state.knobs
      if (tokenLatencyMs > 0) await new Promise((resolve) => setTimeout(resolve, tokenLatencyMs))
      if (req.method !== 'POST' || !GRANTS.has(form.get('grant_type') ?? '')) {
        sendJson(res, 400, { error: 'unsupported_grant_type' })
      } else if (unavailable) {
        counters.tokenUnavailable++
        sendJson(res, 503, { error: 'temporarily_unavailable' })
      } else {
        const jkt = typeof req.headers.dpop === 'string' ? proofKey(req.headers.dpop) : undefined
        sendJson(res, 200, {
          access_token: state.issue(clientId, Date.now(), jkt),
          token_type: jkt === undefined ? 'Bearer' : 'DPoP',
          expires_in: ttlSeconds,
          ...(refreshInSeconds === undefined ? {} : { refresh_in: refreshInSeconds }),
        })
      }
    })
  }
}

/** The user name of an HTTP Basic `Authorization` header, form-decoded as RFC 6749 §2.3.1 asks. */
function basicUser(authorization: string | undefined): string | undefined {
  if (authorization === undefined || !/^basic /i.test(authorization)) return undefined
  const decoded = Buffer.from(authorization.slice(6), 'base64').toString()
  const colon = decoded.indexOf(':')
  return decodeURIComponent((colon === -1 ? decoded : decoded.slice(0, colon)).replace(/\+/g, ' '))
}
