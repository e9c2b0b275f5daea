/**
 * One hot-path comparison: the same client with a hand-set header (A) and with the auth layer (B);
 * in the hot path with DPoP, A makes its proofs by hand and B's adapter sends core's.
 */
export interface HotPathRow {
  contender: string
  client: string
  mode: 'concurrent' | 'sequential'
  /** The DPoP proofs' algorithm, in the hot path with DPoP. */
  alg?: string
  requests: number
  rounds: number
  /** Median requests/s of the hand-set side. */
  handSet: number
  /** Median requests/s of the auth side. */
  withAuth: number
  /** Median of the per-round ratios withAuth / handSet. */
  ratio: number
  /** The lowest and highest per-round ratio: how noisy the rounds were. */
  ratioRange: [number, number]
  /** Median CPU µs per request of the client process, hand-set side. */
  handSetCpuMicros: number
  /** Median CPU µs per request of the client process, auth side. */
  withAuthCpuMicros: number
  /** Median of the per-round ratios handSet CPU / withAuth CPU (1 = the auth layer costs nothing). */
  cpuRatio: number
  failures: number
}

/** One contender in a storm of concurrent requests. */
export interface StormRow {
  contender: string
  requests: number
  tokenCalls: number
  /** Resource requests answered 401. */
  unauthorized: number
  /** Resource requests beyond one per caller's request. */
  retries: number
  failures: number
  p50Ms: number
  p99Ms: number
}

/** One contender while the token endpoint answers 503. */
export interface OutageRow {
  contender: string
  requests: number
  failures: number
  /** Token requests made during the outage (all answered 503). */
  tokenCalls: number
}

/** One core operation. */
export interface CoreRow {
  operation: string
  /** By the wall clock. */
  opsPerSecond: number
  /** By the CPU time of the measuring thread: what the code does when it has a core to itself. */
  cpuOpsPerSecond: number
  bytesPerCall: number
}

/** One DPoP proof, tokenwarden's and openid-client's, for the same key and algorithm. */
export interface DPoPProofRow {
  alg: string
  /** Proofs per side per round. */
  proofs: number
  rounds: number
  /** Whether both sides' proofs carry the same `alg` and `jwk`. */
  sameKey: boolean
  /** Wall-clock µs per proof (median over rounds), one proof after the other. */
  oursMicros: number
  openidClientMicros: number
  /** CPU µs per proof of the whole process, all threads (WebCrypto signs on the thread pool). */
  oursCpuMicros: number
  openidClientCpuMicros: number
}

/** One adapter's own cost per request, over a transport that answers at once. */
export interface AdapterCostRow {
  adapter: string
  calls: number
  rounds: number
  /** ns per request with a hand-set header (median over rounds). */
  handSetNs: number
  /** ns per request through the adapter, token cached. */
  withAuthNs: number
  /** Median of the per-round differences. */
  addedNs: number
}

/** Idle managers, in bulk. */
export interface ScaleRow {
  setup: string
  managers: number
  heapBytesPerManager: number
  /** Timers alive, all managers together. */
  timers: number
  /** Timers that keep the process alive (not `unref`'d). */
  refTimers: number
  /** Timers alive after every manager was closed. */
  timersAfterClose: number
}

/** One `credentialPool` holding N keys, each with a lazy manager (scenario 6b). */
export interface PoolScaleRow {
  setup: string
  keys: number
  /** Heap growth per key: its manager, its cache entry and its share of the pool's storage (the key string excluded). */
  heapBytesPerKey: number
  /** Timers alive, the whole pool together (its one sweep timer included). */
  timers: number
  /** Timers that keep the process alive (not `unref`'d). */
  refTimers: number
  /** `get()` calls per second on one key, every call a hit. */
  hotGetsPerSecond: number
  /** `get()` calls per second on keys drawn uniformly from all N, every call a hit. */
  spreadGetsPerSecond: number
  /** Heap left after `close()`, against the heap before the pool was made (bytes; noise either way). */
  heapAfterCloseBytes: number
  /** Timers alive after `close()`. */
  timersAfterClose: number
}

/** N processes sharing one credential, with the Redis store or without a store. */
export interface FleetRow {
  processes: number
  store: 'redis' | 'none'
  /** Token requests for every process's first token. */
  firstToken: number
  /** Token requests in each refresh cycle (every process forces a refresh at once). */
  perCycle: number[]
  /** Token requests after every process got a 401 for the token it holds. */
  storm: number
  /** Median and 99th percentile of a forced refresh, ms, every process and cycle together. */
  waitP50Ms: number
  waitP99Ms: number
  /** Redis commands per `getToken()` while the token is fresh (0 without a store). */
  commandsPerFreshCall: number
  failures: number
}

/** A figure held to a number: a correctness figure (wrong means a bug) or a performance target. */
export interface Check {
  kind: 'correctness' | 'target'
  scenario: string
  contender: string
  figure: string
  expected: string
  actual: string
  ok: boolean
}

/** Everything a run produced; written as results.json and rendered as results.md. */
export interface Results {
  meta: {
    date: string
    mode: 'full' | 'quick'
    node: string
    machine: { os: string; cpu: string; cores: number; memoryGiB: number; loadAverage: number[] }
    /** Load average (1, 5, 15 min) when the run ended; `machine.loadAverage` is at its start. */
    loadAverageAtEnd: number[]
    versions: Record<string, string>
  }
  hotPath: HotPathRow[]
  hotPathDPoP: HotPathRow[]
  /** Table 1d: the same adapter with nobody subscribed to tokenwarden's diagnostics channels (A) and a subscriber on each (B). */
  hotPathChannels: HotPathRow[]
  core: CoreRow[]
  dpopProof: DPoPProofRow[]
  adapterCost: AdapterCostRow[]
  expiryStorm: StormRow[]
  revokeStorm: StormRow[]
  outage: OutageRow[]
  scale: ScaleRow[]
  scalePool: PoolScaleRow[]
  fleet: FleetRow[]
  /** Why the fleet scenario did not run, when it did not. */
  fleetSkipped?: string | undefined
  missing: { id: string; reason: string }[]
  notes: string[]
  checks: Check[]
}
