import { burst } from './steps/burst.ts'
import { firstToken } from './steps/first-token.ts'
import { idpOutage } from './steps/idp-outage.ts'
import { proactiveRefresh } from './steps/proactive-refresh.ts'
import { revocation } from './steps/revocation.ts'
import type { Step, StepResult, StoryContext } from './steps/step.ts'

/** The story, in order. */
export const steps: readonly Step[] = [firstToken, proactiveRefresh, revocation, idpOutage, burst]

/** A step that ran (or was skipped), numbered from 1. */
export interface StepRecord {
  readonly number: number
  readonly title: string
  readonly result: StepResult
  /** Wall time the step took, in ms. */
  readonly tookMs: number
}

/** Whether a step held for every lane (a skipped step holds). */
export function held(result: StepResult): boolean {
  return 'skipped' in result || result.outcomes.every((outcome) => outcome.ok)
}

/** What the story tells as it goes. */
export interface StoryListener {
  started(number: number, title: string): void
  /** A step's progress line, between its start and its end. */
  note(line: string): void
  finished(record: StepRecord): void
}

/** Runs the steps in order and stops after the first that did not hold: later ones would build on it. */
export async function runStory(context: Omit<StoryContext, 'note'>, listener: StoryListener): Promise<StepRecord[]> {
  const records: StepRecord[] = []
  const note = (line: string): void => listener.note(line)
  for (const [index, step] of steps.entries()) {
    listener.started(index + 1, step.title)
    const started = performance.now()
    const result = await step.run({ ...context, note })
    const record = { number: index + 1, title: step.title, result, tookMs: performance.now() - started }
    records.push(record)
    listener.finished(record)
    if (!held(record.result)) break
  }
  return records
}
