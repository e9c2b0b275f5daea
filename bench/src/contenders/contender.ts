import type { WorldAddress } from '../world/protocol.ts'
import type { Pools } from './pools.ts'

/** The scenarios a contender can take part in; `hot-path-dpop` is the hot path with a DPoP-bound token. */
export type Scenario = 'hot-path' | 'hot-path-dpop' | 'expiry-storm' | 'revoke-storm' | 'idp-outage'

/** A request to the resource server: `GET /data`, or `POST /echo` with a JSON body. */
export type BenchRequest = { method: 'GET'; path: '/data' } | { method: 'POST'; path: '/echo'; body: string }

/**
 * The headers the hand-set side adds to each request: the same for every request (a bearer
 * `Authorization`), or made for each request (a DPoP-bound token's `Authorization` and a new proof).
 */
export type HandSetHeaders = Readonly<Record<string, string>> | ((request: BenchRequest) => Record<string, string>)

/** A response as a contender read it. */
export interface Reply {
  status: number
  body: string
}

/** An HTTP client, set up and ready; `send` resolves with the final response (it never throws on a status). */
export interface Client {
  send(request: BenchRequest): Promise<Reply>
  /** Releases what the client holds besides its pools (a registered credential, a renewal running in the background); the pools are the caller's. */
  close(): Promise<void>
}

/** One way of sending authorised requests: an auth library on its HTTP client, or a hand-written floor. */
export interface Contender {
  /** A short id, also its `client_id` at the token endpoint (the world counts per client). */
  readonly id: string
  /** How the tables name it. */
  readonly label: string
  /** The HTTP client underneath. */
  readonly client: string
  /** Packages whose versions the results record. */
  readonly packages: readonly string[]
  /** Where it applies. */
  readonly scenarios: ReadonlySet<Scenario>
  /** The challenge its 401 handling needs in the revoke storm, when not `invalid_token`. */
  readonly revokeChallenge?: 'cae'
  /** The same HTTP client, configured the same way, with `headers` set by hand (the A side), on `pools`. */
  handSet(world: WorldAddress, headers: HandSetHeaders, pools: Pools): Client
  /** The client with the auth layer on (the B side), on `pools`. */
  withAuth(world: WorldAddress, scenario: Scenario, pools: Pools): Promise<Client>
}

/** Connections per client pool, for every contender alike; the hot path's concurrency matches it. */
export const POOL_SIZE = 50
