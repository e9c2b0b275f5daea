/** The loopback world's knobs, set from the bench process over IPC. */
export interface Knobs {
  /** `expires_in` of issued tokens, seconds. */
  ttlSeconds: number
  /** `refresh_in` of issued tokens, seconds; omitted from the answer when `undefined`. */
  refreshInSeconds: number | undefined
  /** Milliseconds the token endpoint waits before it answers. */
  tokenLatencyMs: number
  /** While `true`, the token endpoint answers 503 `temporarily_unavailable`. */
  unavailable: boolean
  /**
   * The challenge of a 401 for a revoked or expired token: `invalid_token` (RFC 6750), or `cae`, a
   * Continuous Access Evaluation `insufficient_claims` challenge carrying claims.
   */
  challenge: 'invalid_token' | 'cae'
}

/** What the world saw from one OAuth client (the `client_id` that asked for the token). */
export interface Counters {
  /** Requests to the token endpoint, including those answered 503. */
  tokenCalls: number
  /** Token requests answered 503. */
  tokenUnavailable: number
  /** Requests to the resource server. */
  requests: number
  /** Resource requests answered 401. */
  unauthorized: number
}

/** Where the world listens. */
export interface WorldAddress {
  /** The token endpoint's URL (`POST`, form body, `client_credentials` or `refresh_token`). */
  tokenUrl: string
  /** The resource server's origin: `GET /data`, `POST /echo`. */
  resourceOrigin: string
}

/** A command from the bench process to the world. */
export type Command =
  | { id: number; type: 'configure'; knobs: Partial<Knobs> }
  | { id: number; type: 'revoke-all' }
  | { id: number; type: 'counters'; clientId: string }
  | { id: number; type: 'reset' }

/** The world's answers: `ready` once at start, then one `reply` per command. */
export type WorldMessage =
  | { type: 'ready'; address: WorldAddress }
  | { type: 'reply'; id: number; counters?: Counters }

/** The knobs the world starts with and returns to on `reset`. */
export const defaultKnobs: Readonly<Knobs> = Object.freeze({
  ttlSeconds: 3600,
  refreshInSeconds: undefined,
  tokenLatencyMs: 0,
  unavailable: false,
  challenge: 'invalid_token',
})
