import type { Check, HotPathRow, Results } from './results.ts'

type Cell = string | number

const numeric = (cell: Cell): boolean => typeof cell === 'number' || /^[\d,.×\s–]+$/.test(cell)

/** A markdown table; columns whose every cell is a number are right-aligned. */
function table(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const line = (cells: readonly Cell[]): string => `| ${cells.join(' | ')} |`
  const align = headers.map((_, i) => (rows.length > 0 && rows.every((row) => numeric(row[i] ?? '')) ? '---:' : '---'))
  return [line(headers), line(align), ...rows.map(line)].join('\n')
}

const int = (value: number): string => Math.round(value).toLocaleString('en-US')
const oneDecimal = (value: number): string => value.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })
const ms = (value: number): string => (Number.isNaN(value) ? '–' : value < 10 ? value.toFixed(2) : value.toFixed(0))

function verdict(checks: readonly Check[], scenario: string, contender: string): string {
  const own = checks.filter((c) => c.scenario.startsWith(scenario) && c.contender === contender)
  if (own.length === 0) return ''
  return own.every((c) => c.ok) ? 'ok' : own.filter((c) => !c.ok).map((c) => `**${c.kind === 'target' ? 'MISSED' : 'WRONG'}** ${c.figure}`).join(', ')
}

/**
 * A hot path's table (1 or 1c): each row's A side, named `handSet` in the headers, against its auth
 * layer, with the verdict of `scenario`'s checks; an `alg` column when the rows have one.
 */
function hotPathTable(rows: readonly HotPathRow[], checks: readonly Check[], scenario: string, handSet: string, withAuth = 'with auth'): string {
  const withAlg = rows.some((r) => r.alg !== undefined)
  return table(
    [
      'contender',
      'client',
      ...(withAlg ? ['alg'] : []),
      'mode',
      'requests × rounds',
      `${handSet} req/s`,
      `${withAuth} req/s`,
      'ratio',
      `${handSet} CPU µs`,
      `${withAuth} CPU µs`,
      'CPU ratio',
      'failures',
      'verdict',
    ],
    rows.map((r) => [
      r.contender,
      r.client,
      ...(withAlg ? [r.alg ?? '–'] : []),
      r.mode,
      `${int(r.requests)} × ${r.rounds}`,
      int(r.handSet),
      int(r.withAuth),
      `${r.ratio.toFixed(3)} (${r.ratioRange[0].toFixed(2)}–${r.ratioRange[1].toFixed(2)})`,
      r.handSetCpuMicros.toFixed(1),
      r.withAuthCpuMicros.toFixed(1),
      r.cpuRatio.toFixed(3),
      r.failures,
      verdict(checks, `${scenario} (${r.mode})`, r.contender),
    ]),
  )
}

/** Renders results as the tables of results.md. */
export function renderMarkdown(results: Results): string {
  const { meta, checks } = results
  const out: string[] = []
  out.push(`# tokenwarden benchmarks (${meta.mode} run)`)
  out.push(
    [
      `- date: ${meta.date}`,
      `- machine: ${meta.machine.cpu}, ${meta.machine.cores} cores, ${meta.machine.memoryGiB} GiB, ${meta.machine.os}`,
      `- load average (1, 5, 15 min) at start: ${meta.machine.loadAverage.join(', ')}; at end: ${meta.loadAverageAtEnd.join(', ')}`,
      `- Node ${meta.node}`,
      `- versions: ${Object.entries(meta.versions).map(([name, version]) => `${name} ${version}`).join(', ')}`,
    ].join('\n'),
  )

  out.push('## 1. Hot path: adapter vs hand-set header (GET /data, token cached)')
  out.push(
    'Each round alternates blocks of requests, hand-set then auth, then auth then hand-set (10 blocks a side). ' +
      'Requests/s, median over rounds; ratio = median of the per-round ratios (auth / hand-set), with the lowest and highest round. ' +
      'CPU µs = CPU time of the client process per request (all threads); CPU ratio = hand-set CPU / auth CPU, per round, median. ' +
      'Target for tokenwarden: throughput ratio ≥ 0.98. Peers are measured the same way, against their own client with a hand-set header. ' +
      'The control row sends with a hand-set header on both sides: its distance from 1 is what the machine alone does to a ratio.',
  )
  out.push(hotPathTable(results.hotPath, checks, 'hot path', 'hand-set'))

  out.push("## 1b. Each adapter's own cost per request (token cached, transport answering at once)")
  out.push(
    'In a fresh process, over transports that answer before returning (an undici Dispatcher, a fetch function, an axios adapter; ' +
      "for got, its per-request Options with and without the adapter's hooks run on them), so no socket or other process is timed. " +
      'ns per request, median over rounds alternated A/B; added = median of the per-round differences. ' +
      "Share = added / the client's CPU time per request with a hand-set header in the hot path above (concurrent / sequential), " +
      'and the ratio that cost alone would give. A negative figure means the cost is below the run-to-run noise of the client itself. ' +
      'The rows `…, channels subscribed` run with a subscriber on every tokenwarden diagnostics channel (each request then publishes a message): ' +
      'their added ns less the plain row\'s is what publishing costs per request.',
  )
  out.push(
    table(
      ['adapter', 'calls × rounds', 'hand-set ns', 'with auth ns', 'added ns', 'share of client CPU', 'implied ratio'],
      results.adapterCost.map((r) => {
        const cpu = (['concurrent', 'sequential'] as const).map(
          (mode) => results.hotPath.find((h) => h.contender === `tokenwarden + ${r.adapter.split(',')[0]}` && h.mode === mode)?.handSetCpuMicros,
        )
        const share = cpu.map((micros) => (micros === undefined ? undefined : r.addedNs / (micros * 1000)))
        return [
          r.adapter,
          `${int(r.calls)} × ${r.rounds}`,
          int(r.handSetNs),
          int(r.withAuthNs),
          int(r.addedNs),
          share.map((x) => (x === undefined ? '–' : `${(x * 100).toFixed(2)}%`)).join(' / '),
          share.map((x) => (x === undefined ? '–' : (1 / (1 + x)).toFixed(3))).join(' / '),
        ]
      }),
    ),
  )

  out.push('## 1c. Hot path with DPoP: adapter vs hand-made proof (GET /data, DPoP-bound token cached)')
  out.push(
    "Table 1's hot path with a DPoP-bound token: the credential's source is made with `dpop` (a key generated for it), and the world binds " +
      'the token to the key of the token request\'s proof. Hand-made proof = the same client sending `Authorization: DPoP <token>` and, for each request, ' +
      'a proof it makes with the same `DPoPKey.proof` call core makes, with the credential\'s own key and token; with auth = the adapter, sending the proof core signs. ' +
      'The world checks each proof against its request and token (the key\'s thumbprint, htm, htu, ath, iat, a jti), not its signature, and sends no nonce. ' +
      'Each request costs one signature on both sides alike (its CPU in table 2b): it is most of the difference from table 1. ' +
      'Columns as in table 1. Target for tokenwarden: throughput ratio ≥ 0.98. The control row makes its proofs by hand on both sides, each with a key and token of its own.',
  )
  out.push(hotPathTable(results.hotPathDPoP, checks, 'hot path with DPoP', 'hand-made proof'))

  out.push('## 1d. Hot path with diagnostics channels subscribed vs not (GET /data, token cached)')
  out.push(
    "Table 1's hot path through the same adapter, on the same pools, in alternated blocks: unsubscribed = nobody listens on tokenwarden's " +
      'diagnostics channels (what table 1 measures against a hand-set header, and holds to its target), subscribed = a subscriber counting messages on ' +
      'every channel, so that each request publishes a `tokenwarden:token:served` message. Columns as in table 1; ratio = subscribed / unsubscribed. ' +
      'Checked: 0 failures, and at least one message per subscribed request. Target: ratio ≥ 0.98. Table 2 shows the same for `current()` alone, with bytes allocated.',
  )
  out.push(hotPathTable(results.hotPathChannels ?? [], checks, 'hot path with channels', 'unsubscribed', 'subscribed'))

  out.push('## 2. Core: cached token operations')
  out.push(
    'In a fresh process; median over rounds of ops/s by the wall clock, and by the CPU time of the measuring thread ' +
      '(the two agree on an idle machine; the second leaves out time the process waited for a core). ' +
      'Bytes allocated per call on the V8 heap. `current()` and `getToken()` read the clock once a call, to tell a fresh token from an expired one: ' +
      'the `Date.now()` row is that read alone. The last row is `current()` with a subscriber on `tokenwarden:token:served`: each call then makes and publishes a message. ' +
      'Targets: cached `getToken()` ≥ 20,000,000 ops/s (wall clock); `current()` with nobody subscribed allocates nothing beyond the clock read.',
  )
  out.push(
    table(
      ['operation', 'ops/s', 'ops/CPU-s', 'bytes/call'],
      results.core.map((r) => [r.operation, int(r.opsPerSecond), int(r.cpuOpsPerSecond), r.bytesPerCall.toFixed(1)]),
    ),
  )

  out.push("## 2b. DPoP proof: tokenwarden's vs openid-client's, same key")
  out.push(
    'In a fresh process; one proof for a GET with an access token and a nonce, one after the other: tokenwarden\'s `DPoPKey.proof` ' +
      "(synchronous, node:crypto) and openid-client's DPoP handle (`getDPoPHandle(config, keyPair)`, WebCrypto) on the same key. " +
      'µs per proof, median over rounds alternated A/B; CPU µs are the whole process\'s (WebCrypto signs on the thread pool). ' +
      "Target: tokenwarden's CPU per proof ≤ openid-client's.",
  )
  out.push(
    table(
      ['alg', 'proofs × rounds', 'tokenwarden µs', 'openid-client µs', 'tokenwarden CPU µs', 'openid-client CPU µs', 'CPU ratio (openid-client / ours)', 'verdict'],
      results.dpopProof.map((r) => [
        r.alg,
        `${int(r.proofs)} × ${r.rounds}`,
        oneDecimal(r.oursMicros),
        oneDecimal(r.openidClientMicros),
        oneDecimal(r.oursCpuMicros),
        oneDecimal(r.openidClientCpuMicros),
        (r.openidClientCpuMicros / r.oursCpuMicros).toFixed(2),
        verdict(checks, `DPoP proof (${r.alg})`, '@tokenwarden/core'),
      ]),
    ),
  )

  for (const [title, rows, scenario] of [
    ['## 3. Expiry storm: concurrent requests when the token has just expired', results.expiryStorm, 'expiry storm'],
    ['## 4. 401 storm: concurrent POST /echo after every token was revoked', results.revokeStorm, 'revoke storm'],
  ] as const) {
    out.push(title)
    out.push(
      scenario === 'expiry storm'
        ? 'Expected for tokenwarden: exactly 1 token request, 0 failures. Latency from each request\'s start, ms.'
        : 'Expected for tokenwarden: exactly 1 token request, every request retried once (retries = requests), body echoed intact, 0 failures.',
    )
    out.push(
      table(
        ['contender', 'requests', 'token calls', '401s', 'retries', 'failures', 'p50 ms', 'p99 ms', 'verdict'],
        rows.map((r) => [r.contender, int(r.requests), r.tokenCalls, int(r.unauthorized), int(r.retries), int(r.failures), ms(r.p50Ms), ms(r.p99Ms), verdict(checks, scenario, r.contender)]),
      ),
    )
  }

  out.push('## 5. IdP outage: the token endpoint answers 503 while the token is still valid')
  out.push('Each contender holds a token valid for 100 s and due for renewal, and sends requests while the endpoint is down. Expected for tokenwarden: 0 failures.')
  out.push(
    table(
      ['contender', 'requests', 'failures', 'token calls (503)', 'verdict'],
      results.outage.map((r) => [r.contender, int(r.requests), int(r.failures), r.tokenCalls, verdict(checks, 'IdP outage', r.contender)]),
    ),
  )

  out.push('## 6. Scale: idle TokenManagers')
  out.push(
    table(
      ['setup', 'managers', 'heap bytes/manager', 'timers', 'ref\'d timers', 'timers after close'],
      results.scale.map((r) => [r.setup, int(r.managers), int(r.heapBytesPerManager), int(r.timers), r.refTimers, r.timersAfterClose]),
    ),
  )

  out.push('## 6b. Scale: one credentialPool, N idle keys')
  out.push(
    'One pool (`max` N, `idle` 900 s), one lazy manager per key, sharing a source and an origin list. Target: ≤ 1,024 heap bytes per key ' +
      'without a token; timers: the pool\'s one sweep timer, none per key. `get()` calls are hits, on one key or on keys drawn uniformly.',
  )
  out.push(
    table(
      ['setup', 'keys', 'heap bytes/key', 'timers', "ref'd timers", 'hot get()/s', 'spread get()/s', 'heap KiB after close', 'timers after close'],
      results.scalePool.map((r) => [
        r.setup,
        int(r.keys),
        int(r.heapBytesPerKey),
        r.timers,
        r.refTimers,
        int(r.hotGetsPerSecond),
        int(r.spreadGetsPerSecond),
        int(r.heapAfterCloseBytes / 1024),
        r.timersAfterClose,
      ]),
    ),
  )

  out.push('## 7. Fleet: N processes, one credential, on one Redis')
  out.push(
    results.fleetSkipped !== undefined
      ? `Not run: ${results.fleetSkipped}.`
      : 'Each phase sends the same call to every process at once. Expected with the store: 1 token request per phase, ' +
          '0 Redis commands per call while the token is fresh. Without a store each process asks for itself: N per phase.',
  )
  if (results.fleet.length > 0) {
    out.push(
      table(
        ['processes', 'store', 'first token', 'per refresh cycle', '401 storm', 'refresh p50 ms', 'refresh p99 ms', 'Redis cmds / fresh call', 'failures'],
        results.fleet.map((r) => [r.processes, r.store, r.firstToken, r.perCycle.join(' / '), r.storm, ms(r.waitP50Ms), ms(r.waitP99Ms), r.commandsPerFreshCall, r.failures]),
      ),
    )
  }

  if (results.missing.length > 0) {
    out.push('## Not measured')
    out.push(results.missing.map((m) => `- ${m.id}: ${m.reason}`).join('\n'))
  }
  out.push('## Checks')
  const failed = checks.filter((c) => !c.ok)
  out.push(
    failed.length === 0
      ? `All ${checks.length} checks hold.`
      : table(['kind', 'scenario', 'contender', 'figure', 'expected', 'actual'], failed.map((c) => [c.kind, c.scenario, c.contender, c.figure, c.expected, c.actual])),
  )
  out.push('## How it was measured')
  out.push(results.notes.map((note) => `- ${note}`).join('\n'))
  return `${out.join('\n\n')}\n`
}
