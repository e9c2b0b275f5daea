import type { AcquireReason } from './source.ts'
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
