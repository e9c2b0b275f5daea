/** How many requests a hot path sends. */
export interface HotPathOptions {
  /** Requests per side per round, as many in flight as the pool has connections. */
  readonly requests: number
  /** Requests per side per round one at a time. */
  readonly sequentialRequests: number
  /** A/B rounds, alternated ABBA. */
  readonly rounds: number
  /** Requests per side before the first round. */
  readonly warmup: number
}

/** How much work each scenario does; `--quick` is the CI smoke run, the default is the full run. */
export interface BenchOptions {
  readonly quick: boolean
  readonly hotPath: HotPathOptions
  /** The hot path with DPoP: each request also costs a proof's signature, so fewer of them fill the same time. */
  readonly hotPathDPoP: HotPathOptions
  /** Concurrent requests in each storm. */
  readonly stormRequests: number
  /** How long each contender sends requests during the IdP outage, ms. */
  readonly outageMs: number
  readonly core: { readonly iterations: number; readonly rounds: number }
  /** DPoP proofs per side per round, for each algorithm, and A/B rounds. */
  readonly dpopProof: { readonly proofs: number; readonly rounds: number }
  /** Requests per side per round over the answering transports (axios and got take a share of it). */
  readonly adapterCost: { readonly iterations: number; readonly rounds: number }
  /** Idle managers at once; keys of the credential pool and `get()` calls per round on it. */
  readonly scale: { readonly managers: number; readonly poolKeys: number; readonly poolGets: number }
  /** Fleet sizes, refresh cycles, the token endpoint's latency (ms) and `getToken()` calls counted for Redis commands. */
  readonly fleet: { readonly processes: readonly number[]; readonly cycles: number; readonly idpMs: number; readonly hotCalls: number }
}

const full: BenchOptions = {
  quick: false,
  hotPath: { requests: 20_000, sequentialRequests: 5_000, rounds: 5, warmup: 2_000 },
  hotPathDPoP: { requests: 10_000, sequentialRequests: 2_500, rounds: 5, warmup: 1_000 },
  stormRequests: 10_000,
  outageMs: 5_000,
  core: { iterations: 10_000_000, rounds: 5 },
  dpopProof: { proofs: 2_000, rounds: 5 },
  adapterCost: { iterations: 200_000, rounds: 9 },
  scale: { managers: 100_000, poolKeys: 100_000, poolGets: 2_000_000 },
  fleet: { processes: [1, 4, 8, 16], cycles: 5, idpMs: 50, hotCalls: 10_000 },
}

const quick: BenchOptions = {
  quick: true,
  hotPath: { requests: 100, sequentialRequests: 30, rounds: 3, warmup: 50 },
  hotPathDPoP: { requests: 100, sequentialRequests: 30, rounds: 3, warmup: 50 },
  stormRequests: 300,
  outageMs: 200,
  core: { iterations: 300_000, rounds: 3 },
  dpopProof: { proofs: 50, rounds: 3 },
  adapterCost: { iterations: 2_000, rounds: 3 },
  scale: { managers: 2_000, poolKeys: 2_000, poolGets: 50_000 },
  fleet: { processes: [1, 4], cycles: 2, idpMs: 20, hotCalls: 100 },
}

/** The options for the command line `args` (`--quick` or nothing). */
export function parseOptions(args: readonly string[]): BenchOptions {
  const unknown = args.filter((arg) => arg !== '--quick')
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown[0]}: the only option is --quick`)
  return args.includes('--quick') ? quick : full
}
