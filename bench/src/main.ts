/**
 * `npm run bench [-- --quick]`: tokenwarden's adapters and core, side by side with peer libraries,
 * against a loopback world. Writes results.md and results.json (a quick run writes them to out/),
 * prints the tables, and exits 1 when a correctness figure is wrong (or, in a full run, when a
 * performance target is missed).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { Agent, setGlobalDispatcher } from 'undici'
import { POOL_SIZE } from './contenders/contender.ts'
import { loadContenders } from './contenders/index.ts'
import { parseOptions } from './options.ts'
import { machine } from './report/machine.ts'
import { renderMarkdown } from './report/markdown.ts'
import { methodNotes } from './report/notes.ts'
import type { Check, Results } from './report/results.ts'
import { installedVersions } from './report/versions.ts'
import { adapterCost } from './scenarios/adapter-cost.ts'
import { coreOps } from './scenarios/core-ops.ts'
import { dpopProof } from './scenarios/dpop-proof.ts'
import { expiryStorm } from './scenarios/expiry-storm.ts'
import { fleet } from './scenarios/fleet.ts'
import { hotPath } from './scenarios/hot-path.ts'
import { hotPathChannels } from './scenarios/hot-path-channels.ts'
import { idpOutage } from './scenarios/idp-outage.ts'
import { revokeStorm } from './scenarios/revoke-storm.ts'
import { scale } from './scenarios/scale.ts'
import { World } from './world/world.ts'

const options = parseOptions(process.argv.slice(2))
const startMachine = machine()
setGlobalDispatcher(new Agent({ connections: POOL_SIZE }))

const { contenders, missing } = await loadContenders()
const checks: Check[] = []
const step = async <T extends { checks: Check[] }>(name: string, run: () => Promise<T>): Promise<T> => {
  const t0 = performance.now()
  const result = await run()
  process.stderr.write(`bench: ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`)
  checks.push(...result.checks)
  return result
}

const core = await step('core operations', () => coreOps(options))
const dpop = await step('DPoP proof', () => dpopProof(options))
const cost = await step('adapter cost', () => adapterCost(options))
const world = await World.start()
const hot = await step('hot path', () => hotPath(world, contenders, options))
const hotDPoP = await step('hot path with DPoP', () => hotPath(world, contenders, options, 'DPoP'))
const hotChannels = await step('hot path with channels', () => hotPathChannels(world, contenders, options))
const expiry = await step('expiry storm', () => expiryStorm(world, contenders, options))
const revoke = await step('401 storm', () => revokeStorm(world, contenders, options))
const outage = await step('IdP outage', () => idpOutage(world, contenders, options))
world.close()
const scaled = await step('scale', () => scale(options))
const fleets = await step('fleet', () => fleet(options))

const results: Results = {
  meta: {
    date: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    node: process.versions.node,
    machine: startMachine,
    loadAverageAtEnd: loadavg().map((load) => Math.round(load * 100) / 100),
    versions: await installedVersions(['@tokenwarden/core', '@tokenwarden/redis', 'openid-client', 'redis', ...contenders.flatMap((c) => c.packages)]),
  },
  hotPath: hot.rows,
  hotPathDPoP: hotDPoP.rows,
  hotPathChannels: hotChannels.rows,
  core: core.rows,
  dpopProof: dpop.rows,
  adapterCost: cost.rows,
  expiryStorm: expiry.rows,
  revokeStorm: revoke.rows,
  outage: outage.rows,
  scale: scaled.rows,
  scalePool: scaled.poolRows,
  fleet: fleets.rows,
  fleetSkipped: fleets.skipped,
  missing,
  notes: [...methodNotes],
  checks,
}

const dir = new URL(options.quick ? '../out/' : '../', import.meta.url)
await mkdir(dir, { recursive: true })
const markdown = renderMarkdown(results)
await writeFile(new URL('results.md', dir), markdown)
await writeFile(new URL('results.json', dir), `${JSON.stringify(results, null, 2)}\n`)
process.stdout.write(markdown)

const wrong = checks.filter((c) => !c.ok && c.kind === 'correctness')
const missed = checks.filter((c) => !c.ok && c.kind === 'target')
for (const c of [...wrong, ...missed]) {
  process.stderr.write(`bench: ${c.kind === 'target' ? 'target missed' : 'WRONG'}: ${c.scenario}, ${c.contender}: ${c.figure} ${c.actual} (expected ${c.expected})\n`)
}
process.exit(wrong.length > 0 || (!options.quick && missed.length > 0) ? 1 : 0)
