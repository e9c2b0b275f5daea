/**
 * Scenario 2b, run in its own process (see `dpop-proof.ts`): one DPoP proof for a GET with an access
 * token and a nonce, by tokenwarden's `DPoPKey.proof` and by openid-client's DPoP handle
 * (`getDPoPHandle(config, keyPair)`, the handle its grants and `fetchProtectedResource` use; its
 * `addProof(url, headers, htm, accessToken)` is there at runtime, not in its types), for the same
 * key. openid-client signs with WebCrypto, whose work runs on libuv's thread pool: CPU time is the
 * whole process's (`process.cpuUsage`), not this thread's. Sides alternate by round, ABBA.
 */
import { DPoPKey, type DPoPAlgorithm } from '@tokenwarden/core/adapter'
import { Configuration } from 'openid-client'
import { syncProof } from '../contenders/hand-made-proof.ts'
import { median } from '../measure/stats.ts'
import type { DPoPProofRow } from '../report/results.ts'

const [proofs, rounds] = process.argv.slice(2).map(Number) as [number, number]
const ALGORITHMS: readonly DPoPAlgorithm[] = ['Ed25519', 'ES256', 'RS256', 'PS256', 'ES384']
const URL_STRING = 'https://api.example.com/v1/items?limit=10'
const ACCESS_TOKEN = 'a'.repeat(40)
const NONCE = 'eyJ7S_zG.eyJH0-Z.HX4w-7v'
const config = new Configuration({ issuer: 'https://as.example.com', token_endpoint: 'https://as.example.com/token' }, 'bench')
let sink: unknown

interface ProofHandle {
  addProof(url: URL, headers: Headers, htm: string, accessToken?: string): Promise<void>
  cacheNonce(response: Response, url: URL): void
}

/** Wall and CPU µs per proof of `proofs` proofs made one after the other. */
async function timed(run: () => unknown): Promise<{ wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < proofs; i++) sink = await run()
  const wall = Number(process.hrtime.bigint() - t0) / 1000 / proofs
  const { user, system } = process.cpuUsage(cpu0)
  return { wall, cpu: (user + system) / proofs }
}

/** A proof header's `alg` and `jwk`, the JWK's members sorted: openid-client writes them in another order. */
function header(proof: string): string {
  const { alg, jwk } = JSON.parse(Buffer.from(proof.split('.')[0] as string, 'base64url').toString()) as { alg: string; jwk: object }
  return JSON.stringify({ alg, jwk }, ['alg', 'jwk', ...Object.keys(jwk).sort()])
}

async function measure(alg: DPoPAlgorithm): Promise<DPoPProofRow> {
  const key = await DPoPKey.from({ alg })
  const handle = key.handle(config) as unknown as ProofHandle
  const url = new URL(URL_STRING)
  handle.cacheNonce(new Response(null, { headers: { 'dpop-nonce': NONCE } }), url)
  const ours = () => syncProof(key, { htm: 'GET', htu: URL_STRING, accessToken: ACCESS_TOKEN, nonce: NONCE, now: Date.now() })
  const theirs = async () => {
    const headers = new Headers()
    await handle.addProof(url, headers, 'GET', ACCESS_TOKEN)
    return headers.get('dpop')
  }
  const sameKey = header(ours()) === header((await theirs()) as string)
  for (let i = 0; i < Math.ceil(proofs / 5); i++) sink = [ours(), await theirs()]
  const samples = { ours: [] as { wall: number; cpu: number }[], theirs: [] as { wall: number; cpu: number }[] }
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['ours', 'theirs'] as const) : (['theirs', 'ours'] as const)
    for (const side of order) samples[side].push(await timed(side === 'ours' ? ours : theirs))
  }
  const mid = (side: 'ours' | 'theirs', figure: 'wall' | 'cpu') => median(samples[side].map((sample) => sample[figure]))
  return {
    alg,
    proofs,
    rounds,
    sameKey,
    oursMicros: mid('ours', 'wall'),
    openidClientMicros: mid('theirs', 'wall'),
    oursCpuMicros: mid('ours', 'cpu'),
    openidClientCpuMicros: mid('theirs', 'cpu'),
  }
}

const rows: DPoPProofRow[] = []
for (const alg of ALGORITHMS) rows.push(await measure(alg))
void sink
process.send?.(rows, () => process.disconnect())
