import { execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'
import { EXPECTED_RUNTIME_VARIABLE, HOSTS_VARIABLE } from './host/hosts.ts'
import { startWorldHost } from './host/world-server.ts'
import { type RuntimeRun, runtimeRuns } from './runtime-runs.ts'

// `npm run test:runtimes [-- name…]`: the portable suite in every runtime of the matrix (or those
// named), one after another, against one Node host; a summary table, then one closing line. Exits
// non-zero when a run fails, reports no count, or cannot start (it then says how to install what
// is missing).

interface Outcome {
  readonly run: RuntimeRun
  readonly version: string
  readonly passed: number
  readonly failed: number
  readonly skipped: number
  readonly seconds: number
  /** Why the run is a failure although it may have counts (missing tool, exit code, no summary). */
  readonly problem: string | undefined
}

const SUMMARY = /^(\d+) passed, (\d+) failed, (\d+) skipped$/m

async function versionOf(run: RuntimeRun): Promise<string> {
  const how = run.version()
  if (typeof how === 'string') return how
  const [program = '', ...args] = how
  const { stdout } = await promisify(execFile)(program, args)
  return stdout.split('\n')[0]?.trim() ?? ''
}

/** Runs one runtime's command, its output shown as it comes, and reads the summary line. */
function execute(run: RuntimeRun, hosts: string): Promise<{ code: number | null; output: string }> {
  const [program = '', ...args] = run.command
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env: { ...process.env, [HOSTS_VARIABLE]: hosts, [EXPECTED_RUNTIME_VARIABLE]: run.name }, stdio: ['ignore', 'pipe', 'inherit'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
      process.stdout.write(chunk)
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output }))
  })
}

async function runOne(run: RuntimeRun, hosts: string): Promise<Outcome> {
  const missing = run.missing()
  const empty = { run, version: '-', passed: 0, failed: 0, skipped: 0, seconds: 0 }
  if (missing !== undefined) {
    process.stdout.write(`\n::: ${run.label}: cannot run: ${missing}\n`)
    return { ...empty, problem: missing }
  }
  const version = await versionOf(run).catch((error: unknown) => `unknown (${String(error)})`)
  process.stdout.write(`\n::: ${run.label}: ${version}\n`)
  const started = performance.now()
  const { code, output } = await execute(run, hosts)
  const seconds = (performance.now() - started) / 1000
  const counts = SUMMARY.exec(output.replace(/\x1b\[[0-9;]*m/g, ''))
  if (counts === null) return { ...empty, version, seconds, problem: `no summary line (exit code ${code})` }
  const [passed, failed, skipped] = counts.slice(1).map(Number) as [number, number, number]
  const problem = code !== 0 ? `exit code ${code}` : passed === 0 ? 'no test ran' : undefined
  return { run, version, passed, failed, skipped, seconds, problem }
}

const wanted = process.argv.slice(2)
const unknown = wanted.filter((name) => !runtimeRuns.some((run) => run.name === name))
if (unknown.length > 0) {
  process.stderr.write(`unknown runtime ${unknown.join(', ')}; the matrix: ${runtimeRuns.map((r) => r.name).join(', ')}\n`)
  process.exit(2)
}
const host = await startWorldHost()
const outcomes: Outcome[] = []
try {
  for (const run of runtimeRuns) {
    if (wanted.length === 0 || wanted.includes(run.name)) outcomes.push(await runOne(run, JSON.stringify(host.hosts)))
  }
} finally {
  await host.close()
}

const rows = outcomes.map((o) => [o.run.name, o.version, String(o.passed), String(o.failed), String(o.skipped), o.seconds.toFixed(1), o.problem ?? 'ok'])
const header = ['runtime', 'version', 'passed', 'failed', 'skipped', 'seconds', 'result']
const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] as string).length)))
process.stdout.write('\n::: runtime matrix\n')
for (const row of [header, ...rows]) process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i] as number)).join('  ').trimEnd()}\n`)
const total = (key: 'passed' | 'failed' | 'skipped'): number => outcomes.reduce((sum, o) => sum + o[key], 0)
// A run that failed without a failed test (it could not start, or reported nothing) counts as one failure.
const failed = total('failed') + outcomes.filter((o) => o.problem !== undefined && o.failed === 0).length
process.stdout.write(`\n${total('passed')} passed, ${failed} failed, ${total('skipped')} skipped\n`)
process.exitCode = failed > 0 ? 1 : 0
