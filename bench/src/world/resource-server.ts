import type { IncomingMessage, ServerResponse } from 'node:http'
import { readBody, sendJson } from './http-io.ts'
import { type Refusal, type WorldState, clientOf } from './world-state.ts'

const DATA = JSON.stringify({ ok: true })
/** A CAE claims challenge, as Microsoft Entra sends after revoking a session (base64 of a claims request). */
const CAE_CLAIMS = Buffer.from('{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}').toString('base64')

/**
 * The resource server: `GET /data` answers `{"ok":true}`, `POST /echo` answers the request body.
 * A missing, unknown, expired or revoked bearer token gets 401 with a `WWW-Authenticate` challenge
 * (the `challenge` knob picks its kind). Every request is counted against the token's client.
 */
export function resourceServer(state: WorldState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void readBody(req).then((body) => {
      const authorization = req.headers.authorization
      const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined
      const counters = state.counters(token === undefined ? 'anonymous' : clientOf(token))
      counters.requests++
      const refusal = state.check(token, Date.now())
      if (refusal !== undefined) {
        counters.unauthorized++
        sendJson(res, 401, { error: 'invalid_token' }, { 'www-authenticate': challenge(state, refusal) })
      } else if (req.method === 'GET' && req.url === '/data') {
        sendJson(res, 200, DATA)
      } else if (req.method === 'POST' && req.url === '/echo') {
        sendJson(res, 200, body)
      } else {
        sendJson(res, 404, { error: 'not_found' })
      }
    })
  }
}

function challenge(state: WorldState, refusal: Refusal): string {
  if (refusal === 'missing') return 'Bearer realm="bench"'
  if (state.knobs.challenge === 'cae') {
    return `Bearer realm="bench", error="insufficient_claims", claims="${CAE_CLAIMS}"`
  }
  return `Bearer realm="bench", error="invalid_token", error_description="the token is ${refusal}"`
}
