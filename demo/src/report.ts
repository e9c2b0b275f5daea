import { styleText } from 'node:util'
import type { AdapterName } from './adapters/index.ts'
import { FLEET_PROCESSES, type FleetRun, type FleetSkipped } from './fleet/fleet.ts'
import type { Lane } from './lane.ts'
import type { Target } from './options.ts'
import type { TelemetryTally } from './telemetry.ts'
import { type StepRecord, type StoryListener, held, steps } from './story.ts'
import type { World } from './world.ts'

type Style = Parameters<typeof styleText>[0]

/** Colours only on a terminal that wants them (`NO_COLOR`, `FORCE_COLOR` and TTY-ness are honoured). */
function paint(style: Style, text: string): string {
  return styleText(style, text, { stream: process.stdout })
}

function print(line = ''): void {
  process.stdout.write(`${line}\n`)
}

/** Prints the demo's first line, and what it starts before the story, if anything. */
export function printTitle(adapters: readonly AdapterName[], target: Target): void {
  print(paint('bold', `tokenwarden demo: ${adapters.join(', ')}, one credential each`))
  if (target.kind === 'embedded') print(paint('dim', '  starting an OpenID provider (oidc-provider) and an API on 127.0.0.1…'))
}

/** Prints what the story runs against. */
export function printWorld(world: World): void {
  for (const line of world.description) print(`  ${line}`)
}

/** Prints one line per step as it starts, and one per adapter as it ends. */
export const progress: StoryListener = {
  started(number, title) {
    print()
    print(paint('bold', `${number}. ${title}`))
  },
  note(line) {
    print(paint('dim', `   ${line}`))
  },
  finished({ result, tookMs }) {
    if ('skipped' in result) return print(`   ${paint('yellow', 'skipped')}  ${result.skipped}`)
    const width = Math.max(...result.outcomes.map(({ adapter }) => adapter.length))
    for (const { adapter, ok, detail } of result.outcomes) {
      print(`   ${adapter.padEnd(width)}  ${ok ? paint('green', 'ok  ') : paint('red', 'FAIL')}  ${detail}`)
    }
    print(paint('dim', `   (${(tookMs / 1000).toFixed(1)} s)`))
  },
}

const COLUMNS = ['adapter', 'requests', 'token requests', 'background refreshes', '401 recoveries', 'failures', 'p50 ms', 'p99 ms']

/** Prints the table of every adapter's totals over the whole run (the step lines count within their steps). */
export function printTable(lanes: readonly Lane[]): void {
  const rows = lanes.map((lane) => {
    const stats = lane.snapshot()
    return [
      lane.adapter,
      stats.requests.toLocaleString('en-US'),
      String(stats.attempts),
      String(stats.proactiveRefreshes),
      String(stats.reacquires),
      String(stats.failedRequests),
      lane.recorder.percentile(0.5).toFixed(1),
      lane.recorder.percentile(0.99).toFixed(1),
    ]
  })
  const widths = COLUMNS.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)))
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')
  print()
  print('Totals for the whole run (the lines above count within each step):')
  print(paint('bold', line(COLUMNS)))
  for (const row of rows) print(line(row))
  print(paint('dim', 'p50 and p99: latency of the steady traffic (steps 1–4); step 5 shows how long each burst took.'))
}

/** Says that the fleet starts: it takes a few seconds. */
export function printFleetStart(): void {
  print()
  print(paint('bold', `Fleet: ${FLEET_PROCESSES} processes share one credential`))
  print(paint('dim', '   first through Redis, then each on its own; every process asks at once: first token, then 2 forced refreshes'))
}

/** Prints the fleet's token requests per phase, with the store and without. */
export function printFleet(fleet: FleetRun | FleetSkipped): void {
  if ('skipped' in fleet) return print(`   ${paint('yellow', 'skipped')}  ${fleet.skipped}`)
  const row = (counts: readonly number[]): string => counts.join(' / ')
  print(`   with redisStore (${fleet.redisUrl})  token requests per phase: ${row(fleet.withStore)}`)
  print(`   without a store                        token requests per phase: ${row(fleet.withoutStore)}`)
  if (fleet.failures > 0) print(paint('red', `   ${fleet.failures} calls failed`))
}

/** Prints what tokenwarden published on its diagnostics channels during the story. */
export function printTelemetry(telemetry: TelemetryTally): void {
  print()
  print(paint('bold', 'Telemetry: what tokenwarden published on diagnostics_channel during the story'))
  for (const line of telemetry.lines()) print(`   ${line}`)
  print(paint('dim', '   the same channels @tokenwarden/opentelemetry turns into spans and metrics'))
}

/** Whether the fleet, when it ran, made 1 token request per phase with the store and none failed. */
function fleetHeld(fleet: FleetRun | FleetSkipped): boolean {
  return 'skipped' in fleet || (fleet.failures === 0 && fleet.withStore.every((count) => count === 1))
}

/** Prints the verdict; returns the process's exit code: 0 when every step that ran held and none was cut short. */
export function printVerdict(records: readonly StepRecord[], lanes: readonly Lane[], fleet: FleetRun | FleetSkipped): number {
  print()
  const failed = records.filter(({ result }) => !held(result))
  const skipped = records.filter(({ result }) => 'skipped' in result).map(({ number }) => number)
  if (!fleetHeld(fleet)) print(paint('red', 'The fleet did not make exactly 1 token request per phase through Redis.'))
  if (failed.length === 0 && records.length === steps.length && fleetHeld(fleet)) {
    const note = skipped.length === 0 ? '' : ` (step${skipped.length === 1 ? '' : 's'} ${skipped.join(' and ')} skipped)`
    print(paint('green', `Every step held for ${lanes.map((lane) => lane.adapter).join(', ')}${note}.`))
    return 0
  }
  for (const { number, title, result } of failed) {
    if ('skipped' in result) continue
    for (const { adapter, ok, detail } of result.outcomes) {
      if (!ok) print(paint('red', `Step ${number} (${title}) did not hold for ${adapter}: ${detail}.`))
    }
  }
  const notRun = steps.length - records.length
  if (notRun === 1) print(`Step ${steps.length} did not run.`)
  else if (notRun > 1) print(`Steps ${records.length + 1}–${steps.length} did not run.`)
  return 1
}
