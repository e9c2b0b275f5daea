import type { IncomingMessage, ServerResponse } from 'node:http'
import { proofMismatch } from './dpop-check.ts'
import { readBody, sendJson } from './http-io.ts'
import { type Refusal, type WorldState, clientOf } from './world-state.ts'

const DATA = JSON.stringify({ ok: true })
/** A CAE claims challenge, as Microsoft Entra sends after revoking a session (base64 of a claims request). */
const CAE_CLAIMS = Buffer.from('{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}').toString('base64')

/**
 * The resource server: `GET /data` answers `{"ok":true}`, `POST /echo` answers the request body.
 * A missing, unknown, expired or revoked token gets 401 with a `WWW-Authenticate` challenge (the
 * `challenge` knob picks its kind). A bearer token is accepted as `Bearer`; a DPoP-bound one only as
 * `DPoP`, with a proof of its key for this request (`dpop-check.ts`), else 401 `invalid_dpop_proof`.
 * Every request is counted against the token's client.
 */
export function resourceServer(state: WorldState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void readBody(req).then((body) => {
      const { scheme, token } = presented(req.headers.authorization)
      const counters = state.counters(token === undefined ? 'anonymous' : clientOf(token))
      counters.requests++
      const now = Date.now()
      const refusal = state.check(token, now)
      const mismatch = refusal === undefined ? dpopMismatch(state, req, scheme, token as string, now) : undefined
      if (refusal !== undefined) {
        counters.unauthorized++
        sendJson(res, 401, { error: 'invalid_token' }, { 'www-authenticate': challenge(state, refusal) })
      } else if (mismatch !== undefined) {
        counters.unauthorized++
        sendJson(res, 401, { error: 'invalid_dpop_proof' }, { 'www-authenticate': `DPoP error="invalid_dpop_proof", error_description="${mismatch}"` })
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

/** The scheme and token of an `Authorization` header; no token for a scheme other than `Bearer` and `DPoP`. */
function presented(authorization: string | undefined): { scheme?: 'Bearer' | 'DPoP'; token?: string } {
  if (authorization?.startsWith('Bearer ')) return { scheme: 'Bearer', token: authorization.slice(7) }
  if (authorization?.startsWith('DPoP ')) return { scheme: 'DPoP', token: authorization.slice(5) }
  return {}
}

/** Why a good token was presented the wrong way: a bound token needs `DPoP` and its proof, a bearer token `Bearer`. */
function dpopMismatch(state: WorldState, req: IncomingMessage, scheme: string | undefined, token: string, now: number): string | undefined {
  const bound = state.dpopOf(token)
  if (bound === undefined) return scheme === 'Bearer' ? undefined : 'a bearer token sent as DPoP'
  if (scheme !== 'DPoP') return 'a DPoP-bound token sent as Bearer'
  const url = req.url ?? '/'
  const query = url.indexOf('?')
  const htu = `http://${req.headers.host}${query === -1 ? url : url.slice(0, query)}`
  return proofMismatch(req.headers.dpop, { method: req.method ?? 'GET', htu, now }, bound)
}

function challenge(state: WorldState, refusal: Refusal): string {
  if (refusal === 'missing') return 'Bearer realm="bench"'
  if (state.knobs.challenge === 'cae') {
    return `Bearer realm="bench", error="insufficient_claims", claims="${CAE_CLAIMS}"`
  }
  return `Bearer realm="bench", error="invalid_token", error_description="the token is ${refusal}"`
}
