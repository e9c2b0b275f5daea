/**
 * The names of the metrics {@link instrument} records, for views and dashboards. Units follow
 * OpenTelemetry's conventions: durations in seconds (`s`), counts as `{thing}`.
 */
export const metricNames = {
  /** Counter `{acquisition}`: acquisitions, by credential, reason, outcome and `error.type`. */
  acquisitions: 'tokenwarden.acquisitions',
  /** Histogram `s`: how long acquisitions took, by credential, reason, outcome and `error.type`. */
  acquisitionDuration: 'tokenwarden.acquisition.duration',
  /** Histogram `s`: the remaining lifetime of each token served from memory, by credential and staleness. */
  tokenRemainingLifetime: 'tokenwarden.token.remaining_lifetime',
  /** Counter `{retry}`: requests sent again after a 401 or 403, by credential, retry kind and status. */
  requestRetries: 'tokenwarden.request.retries',
  /** Counter `{challenge}`: challenges seen, by credential, status, scheme, error and action. */
  challenges: 'tokenwarden.challenges',
  /** Counter `{failure}`: failed source calls, by credential, reason, `error.type`, status, OAuth error and whether a retry follows. */
  refreshFailures: 'tokenwarden.refresh.failures',
  /** Counter `{acquisition}`: acquisitions a coordinating store answered, by credential and lease outcome. */
  leaseOutcomes: 'tokenwarden.lease.outcomes',
  /** Counter `{failure}`: store reads and writes that failed, by credential and `error.type`. */
  storeFailures: 'tokenwarden.store.failures',
  /** UpDownCounter `{credential}`: managers a credential pool holds, by pool. */
  poolSize: 'tokenwarden.pool.size',
  /** Counter `{credential}`: managers a credential pool dropped, by pool and reason. */
  poolEvictions: 'tokenwarden.pool.evictions',
  /** Counter `{change}`: a Redis store found Redis unavailable, or available again, by availability and key prefix. */
  redisAvailabilityChanges: 'tokenwarden.redis.availability_changes',
} as const

/** The attributes {@link instrument} sets on spans and metrics; never a token, a secret or a URL. */
export const attributeNames = {
  /** The credential's name; on metrics only for a credential that is not in a pool (a pool's keys are unbounded). */
  credential: 'tokenwarden.credential',
  /** The credential pool's name, for a pooled credential. */
  pool: 'tokenwarden.pool',
  /** Why an acquisition ran: `initial`, `proactive`, `expired`, `rejected`, `forced`, `scope-upgrade`, `claims`. */
  reason: 'tokenwarden.acquisition.reason',
  /** How it got its token: `source`, `stored`, `lease-won`, `lease-waited`, `adopted`, or `failed`. */
  outcome: 'tokenwarden.acquisition.outcome',
  /** Source calls an acquisition made (spans). */
  attempts: 'tokenwarden.acquisition.attempts',
  /** The kind of the credential's source (spans). */
  source: 'tokenwarden.source',
  /** The new token's generation (spans). */
  generation: 'tokenwarden.token.generation',
  /** The new token's scheme, `Bearer` or `DPoP` (spans). */
  tokenType: 'tokenwarden.token.type',
  /** The new token's lifetime in seconds (spans). */
  lifetime: 'tokenwarden.token.lifetime',
  /** Whether a served token was inside its advisory window. */
  stale: 'tokenwarden.token.stale',
  /** A failure's code (`TOKEN_ACQUISITION_FAILED`, `ECONNREFUSED`, …), OpenTelemetry's `error.type`. */
  errorType: 'error.type',
  /** An HTTP status: of the response that led to a retry or held a challenge, or of the token endpoint's answer. */
  status: 'http.response.status_code',
  /** The token endpoint's OAuth error code (`invalid_grant`, `slow_down`, …). */
  oauthError: 'tokenwarden.oauth.error',
  /** Whether another attempt follows a failed one. */
  willRetry: 'tokenwarden.refresh.will_retry',
  /** Why a request was sent again: `token`, `nonce` or `scope`. */
  retryKind: 'tokenwarden.retry.kind',
  /** A challenge's scheme (`Bearer`, `DPoP`). */
  challengeScheme: 'tokenwarden.challenge.scheme',
  /** A challenge's `error` (`invalid_token`, `insufficient_claims`, …). */
  challengeError: 'tokenwarden.challenge.error',
  /** What the request did about a challenge: `reacquire`, `claims`, `upgrade-scopes`, `nonce`, `returned`. */
  challengeAction: 'tokenwarden.challenge.action',
  /** How a coordinating store answered: `lease-won`, `lease-waited`, `adopted`. */
  leaseOutcome: 'tokenwarden.lease.outcome',
  /** Why a pool dropped a manager: `max`, `idle`, `deleted`, `closed`. */
  evictionReason: 'tokenwarden.pool.eviction.reason',
  /** Whether Redis is available. */
  redisAvailable: 'tokenwarden.redis.available',
  /** A Redis store's key prefix. */
  redisKeyPrefix: 'tokenwarden.redis.key_prefix',
} as const
