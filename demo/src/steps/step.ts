import type { AdapterName } from '../adapters/index.ts'
import type { Lane, LaneSnapshot } from '../lane.ts'
import { type Traffic, until } from '../traffic.ts'
import type { World } from '../world.ts'

/** What every step is given. */
export interface StoryContext {
  readonly lanes: readonly Lane[]
  readonly world: World
  /** Steady traffic, started by the first step and stopped before the burst. */
  readonly traffic: Traffic
  /** Seconds of steady traffic in the first step. */
  readonly durationSeconds: number
  /** Prints a progress line while the step runs (its outcome per adapter is printed when it ends). */
  note(line: string): void
}

/** How one adapter fared in one step. */
export interface LaneOutcome {
  readonly adapter: AdapterName
  readonly ok: boolean
  /** What happened, or, when `ok` is false, why the step did not hold. */
  readonly detail: string
}

/** A step either ran for every lane, or was skipped for a reason. */
export type StepResult = { readonly outcomes: readonly LaneOutcome[] } | { readonly skipped: string }

/** One step of the story. */
export interface Step {
  readonly title: string
  run(context: StoryContext): Promise<StepResult>
}

/** A lane with its counters at the start of a step. */
export interface Started {
  readonly lane: Lane
  readonly before: LaneSnapshot
}

/** Takes every lane's snapshot at the start of a step. */
export function begin(lanes: readonly Lane[]): Started[] {
  return lanes.map((lane) => ({ lane, before: lane.snapshot() }))
}

/** How long a step waits for every lane to settle before it goes on regardless. */
const SETTLE_TIMEOUT_MS = 10_000

/** Resolves once every lane is settled (see {@link Lane.isSettled}), or after a bound. */
export async function settled(lanes: readonly Lane[]): Promise<void> {
  await until(() => lanes.every((lane) => lane.isSettled()), SETTLE_TIMEOUT_MS)
}

/** A condition of a step and what to say when it does not hold. */
export type Check = readonly [holds: boolean, whyNot: string]

/** `ok` with `detail` when every check holds, else the first failed check's explanation. */
export function judge(adapter: AdapterName, checks: readonly Check[], detail: string): LaneOutcome {
  const failed = checks.find(([holds]) => !holds)
  return failed === undefined ? { adapter, ok: true, detail } : { adapter, ok: false, detail: failed[1] }
}

/** The check that no request failed between two snapshots, naming the reasons when some did. */
export function noFailures(lane: Lane, before: LaneSnapshot, after: LaneSnapshot): Check {
  const failed = after.failedRequests - before.failedRequests
  const why = `${plural(failed, 'request')} failed (${lane.recorder.reasonsSince(before.failedRequests)})`
  return [failed === 0, why]
}

/** `1 request`, `2 requests`, `1,000 requests`. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? noun : nouns}`
}

/** Milliseconds as `850 ms` or `2.1 s`. */
export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}
