import type { AcquisitionOutcome } from './diagnostics/diagnostics-messages.ts'
import type { ManagerKey } from './manager-dpop.ts'
import type { NormalizedToken } from './normalize-grant.ts'
import type { AcquireReason } from './source.ts'
import type { SourceCaller } from './source-caller.ts'
import type { StoreLink } from './store-link.ts'
import type { UpdateReason } from './token-events.ts'
import type { Token } from './token.ts'

/** One acquisition of a token manager: why it runs, and what it was asked for. */
export interface AcquisitionJob {
  readonly reason: AcquireReason
  /** Claims a challenge asked for (JSON text), for `claims` jobs. */
  readonly claims: string | undefined
  /** How long the job waits before its first source call (the backoff after quick rejections). */
  readonly delayMs: number
  /** The token a server rejected, for `rejected` and `claims` jobs. */
  readonly rejected: Token | undefined
  /** Settles with the job's token; every caller that shares the job waits on it. */
  promise: Promise<Token>
  /** Source calls made so far (diagnostics). */
  attempts: number
  /** How the job got its token, once it has it (diagnostics); `source` when unset. */
  outcome: AcquisitionOutcome | undefined
}

/** Acquisitions that ask for more than the last one (scopes, claims): they run during a cool-down and start none. */
const ASKS_FOR_MORE: ReadonlySet<AcquireReason> = new Set(['scope-upgrade', 'claims'])

/** Whether an acquisition for `reason` asks for more than the token it replaces (scopes, claims). */
export function asksForMore(reason: AcquireReason): boolean {
  return ASKS_FOR_MORE.has(reason)
}


/**
 * Whether a caller that needs a token for `reason` (with `claims`) may share `job`, the acquisition
 * in flight. Rules:
 * - a caller asking for nothing more than a new token shares any job;
 * - a caller asking for more (`claims`, `scope-upgrade`) shares only a job with the same reason
 *   and the same claims: any other job was started without what it asks for, so the caller waits
 *   for that job to end and then starts its own (which later callers like it share).
 */
export function mayJoin(job: AcquisitionJob, reason: AcquireReason, claims: string | undefined): boolean {
  return !asksForMore(reason) || (job.reason === reason && job.claims === claims)
}

/** What the steps of one acquisition use: the manager's helpers, and how it publishes a token. */
export interface JobSteps {
  /** Calls the source (and sleeps a job's delay). */
  caller(): SourceCaller
  /** The store link, when the manager has a store. */
  readonly link: StoreLink | undefined
  /** The source's DPoP key, for a source made with `dpop`. */
  readonly key: ManagerKey | undefined
  /** Makes a token the current one, and ends `job`. */
  publish(normalized: NormalizedToken, reason: UpdateReason, job: AcquisitionJob): void
}

/**
 * The steps of one acquisition. Rules:
 * - it first waits its delay (the backoff after quick rejections), then has a DPoP source make its
 *   key, before any token is read or acquired ({@link ManagerKey});
 * - with a coordinating store it goes through the store, which may answer with a peer's token or
 *   have this process call its source ({@link StoreLink}); a plain store is read at the first
 *   acquisition, and written with each token acquired before it is published;
 * - else, or when the store fails, the source is called ({@link SourceCaller}) and its token published.
 */
export async function runJob(job: AcquisitionJob, steps: JobSteps): Promise<Token> {
  if (job.delayMs > 0) await steps.caller().pause(job.delayMs)
  if (steps.key?.made === false) await steps.key.make()
  const { link } = steps
  if (link?.coordinating === true) {
    const coordinated = await link.coordinate(job)
    if (coordinated !== undefined) return coordinated
  } else if (job.reason === 'initial') {
    const restored = await link?.restore(job)
    if (restored !== undefined) {
      job.outcome = 'stored'
      return restored
    }
  }
  const normalized = await steps.caller().call(job)
  if (link?.coordinating !== true) await link?.persist(normalized.token)
  steps.publish(normalized, job.reason, job)
  return normalized.token
}
