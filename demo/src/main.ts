import { credentials, isTokenError } from '@tokenwarden/core'
import { adapters } from './adapters/index.ts'
import type { Lane } from './lane.ts'
import { UsageError, parseOptions, usage } from './options.ts'
import { registerLanes } from './register-lanes.ts'
import { runFleet } from './fleet/fleet.ts'
import { printFleet, printFleetStart, printTable, printTelemetry, printTitle, printVerdict, printWorld, progress } from './report.ts'
import { runStory } from './story.ts'
import { TelemetryTally } from './telemetry.ts'
import { Traffic } from './traffic.ts'
import { openWorld } from './world.ts'

/**
 * `npm start`: drives the undici, axios, got and fetch adapters through the story (first token,
 * proactive refresh, revocation, IdP outage, burst) and prints a table. Exit code 0 when every
 * step held, 1 when one did not (the last lines say which and why) or the demo could not run,
 * 2 for options that do not make sense.
 */
async function main(argv: readonly string[]): Promise<number> {
  const options = parseOptions(argv, process.env)
  if (options.help) {
    process.stdout.write(`${usage}\n`)
    return 0
  }
  printTitle(adapters.map(({ name }) => name), options.target)
  const world = await openWorld(options.target)
  const traffic = new Traffic()
  const telemetry = TelemetryTally.listen()
  let lanes: Lane[] = []
  try {
    lanes = registerLanes(world)
    printWorld(world)
    const records = await runStory({ lanes, world, traffic, durationSeconds: options.durationSeconds }, progress)
    printTable(lanes)
    telemetry.stop()
    printTelemetry(telemetry)
    printFleetStart()
    const fleet = await runFleet(world)
    printFleet(fleet)
    return printVerdict(records, lanes, fleet)
  } finally {
    telemetry.stop()
    await traffic.stop()
    await Promise.all(lanes.map((lane) => lane.close()))
    await credentials.close()
    await world.close()
  }
}

/** One plain line on why the demo could not run: the code and message of a coded error, else the stack. */
function explain(error: unknown): string {
  if (error instanceof UsageError) return `${error.message}\nRun with --help for the options.`
  const code = (error as { code?: unknown } | null)?.code
  if (isTokenError(error) || typeof code === 'string') return `${String(code)}: ${(error as Error).message}`
  return String((error as Error | null)?.stack ?? error)
}

// `npm start | head`: a reader that goes away ends the demo quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error
  process.exit(process.exitCode ?? 0)
})

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`demo: ${explain(error)}\n`)
    process.exitCode = error instanceof UsageError ? 2 : 1
  },
)
