import { DPoPKey, type DPoPProofInput } from '@tokenwarden/core/adapter'
import type { WorldAddress } from '../world/protocol.ts'
import type { HandSetHeaders } from './contender.ts'
import { requestToken } from './token-request.ts'

/** A DPoP-bound access token and the key it is bound to. */
export interface BoundToken {
  readonly key: DPoPKey
  readonly accessToken: string
}

/**
 * The headers a client sets by hand for a DPoP-bound token, making its proofs with the same
 * `DPoPKey.proof` call core makes: `Authorization: DPoP <token>` and, for each request, a new proof
 * of its method and URL (with no nonce: the world sends none).
 */
export function handMadeProof(origin: string, { key, accessToken }: BoundToken): HandSetHeaders {
  const authorization = `DPoP ${accessToken}`
  return (request) => ({
    authorization,
    dpop: syncProof(key, { htm: request.method, htu: `${origin}${request.path}`, accessToken, now: Date.now() }),
  })
}

/** `key.proof(input)`, signed synchronously as it is in Node (node:crypto); throws where it would be a promise. */
export function syncProof(key: DPoPKey, input: DPoPProofInput): string {
  const proof = key.proof(input)
  if (typeof proof !== 'string') throw new Error('the DPoP key signs asynchronously here: the benchmark measures node:crypto signing')
  return proof
}

/**
 * A new key, of the algorithm a credential made with `dpop` gets from a server that lists none
 * (`DPoPKey.from()`'s default), and a token for `clientId` bound to it.
 */
export async function requestBoundToken(world: WorldAddress, clientId: string): Promise<BoundToken> {
  const key = await DPoPKey.from()
  const answer = await requestToken(world, clientId, undefined, syncProof(key, { htm: 'POST', htu: world.tokenUrl, now: Date.now() }))
  if (answer.tokenType !== 'DPoP') throw new Error(`the token endpoint issued ${clientId} a ${answer.tokenType} token, not a DPoP-bound one`)
  return { key, accessToken: answer.accessToken }
}
