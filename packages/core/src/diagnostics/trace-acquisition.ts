import type { AcquisitionJob } from '../acquisition-job.ts'
import type { ResolvedOptions } from '../token-manager-options.ts'
import type { Token } from '../token.ts'
import { type TracePromiseChannel, diagnosticsChannels, tracePromiseChannel } from './diagnostics-channels.ts'
import type { AcquisitionMessage } from './diagnostics-messages.ts'
import { errorCode, lifetimeMs } from './publish-event.ts'

/** The `tokenwarden:acquisition` tracing channel. */
export const acquisitionChannel: TracePromiseChannel = tracePromiseChannel(diagnosticsChannels.acquisition)

/**
 * Runs `job` (through `run`) inside the `tokenwarden:acquisition` tracing channel. Rules: the
 * message is filled in with the job's outcome, attempts, duration and token facts before the
 * channel's `asyncStart` and `asyncEnd` (or `error`) are published; the channel's `result` is left
 * `undefined`, so that the token itself never reaches a subscriber; `run`'s token or error reaches
 * the caller unchanged. Call it only when the channel has subscribers.
 */
export async function traceAcquisition(
  job: AcquisitionJob,
  options: Pick<ResolvedOptions, 'name' | 'pool' | 'source' | 'clock'>,
  run: () => Promise<Token>,
): Promise<Token> {
  const { clock } = options
  const message: AcquisitionMessage = {
    credential: options.name,
    pool: options.pool,
    reason: job.reason,
    source: options.source.kind,
    startedAt: clock.now(),
  }
  let token: Token | undefined
  await acquisitionChannel.tracePromise(async () => {
    try {
      token = await run()
    } catch (error) {
      message.outcome = 'failed'
      message.code = errorCode(error)
      throw error
    } finally {
      message.attempts = job.attempts
      message.durationMs = clock.now() - message.startedAt
    }
    message.outcome = job.outcome ?? 'source'
    message.generation = token.generation
    message.tokenType = token.tokenType
    message.lifetimeMs = lifetimeMs(token)
  }, message)
  return token as Token
}
