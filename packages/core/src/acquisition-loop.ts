import { sleep } from './clock.ts'
import { abortable } from './abortable.ts'
import { ErrorCode, TokenAcquisitionError, TokenError, isTokenError } from './errors.ts'
import { isTransientError } from './retry-policy.ts'
import type { TokenGrant, TokenSource } from './source.ts'
import type { ResolvedOptions } from './token-manager-options.ts'

/** What one acquisition's loop needs from its manager. */
export interface AcquisitionHost<T> {
  readonly name: string
  readonly options: Pick<ResolvedOptions, 'clock' | 'maxRetries' | 'retryDelay' | 'sourceTimeoutMs'>
  readonly source: TokenSource
  /** Aborted when the manager closes. */
  readonly closing: AbortSignal
  /** One source call with `signal`, sent at `issuedAt`, turned into what the loop returns. */
  attempt(signal: AbortSignal, issuedAt: number): Promise<T>
  /** A failed attempt: `retryInMs` says when the next runs, `undefined` when none will. */
  failed(error: unknown, attempt: number, retryInMs: number | undefined): void
  /** The error to end with once the manager is closed. */
  closedError(): TokenError
}

/**
 * Runs an acquisition's attempts. Rules:
 * - each attempt is abandoned after `sourceTimeout` (its signal aborts) and then fails with a
 *   transient `TOKEN_SOURCE_TIMEOUT`, whatever the source does; closing the manager aborts it too;
 * - a transient failure is retried after `retryDelay(attempt, error)`, up to `maxRetries` times;
 * - the loop ends with the first success, or with {@link acquisitionFailure} of the last error.
 */
export async function runAttempts<T>(host: AcquisitionHost<T>): Promise<T> {
  const { clock, maxRetries, retryDelay } = host.options
  for (let attempt = 1; ; attempt++) {
    const issuedAt = clock.now()
    try {
      return await deadlined(host, (signal) => host.attempt(signal, issuedAt))
    } catch (error) {
      if (host.closing.aborted) throw host.closedError()
      const retryInMs = attempt <= maxRetries && isTransientError(error) ? retryDelay(attempt, error) : undefined
      host.failed(error, attempt, retryInMs)
      if (retryInMs === undefined) throw acquisitionFailure(error, attempt, host)
      await pause(host, retryInMs)
    }
  }
}

/** Sleeps on the host's clock; rejects with the closed error when the manager closes meanwhile. */
export function pause(host: Pick<AcquisitionHost<unknown>, 'options' | 'closing' | 'closedError'>, ms: number): Promise<void> {
  return sleep(host.options.clock, ms, host.closing).catch(() => {
    throw host.closedError()
  })
}

/** Runs `call` with a signal that aborts when the manager closes or after `sourceTimeout`. */
async function deadlined<T>(host: AcquisitionHost<T>, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const { clock, sourceTimeoutMs } = host.options
  const { closing } = host
  if (closing.aborted) throw host.closedError()
  const deadline = new AbortController()
  const onClose = (): void => deadline.abort(closing.reason)
  closing.addEventListener('abort', onClose, { once: true })
  const timer = clock.setTimeout(() => deadline.abort(timeoutError(host, sourceTimeoutMs)), sourceTimeoutMs)
  try {
    return await abortable(call(deadline.signal), deadline.signal)
  } finally {
    clock.clearTimeout(timer)
    closing.removeEventListener('abort', onClose)
  }
}

function timeoutError(host: AcquisitionHost<unknown>, ms: number): TokenError {
  return new TokenError(
    ErrorCode.SOURCE_TIMEOUT,
    `the ${host.source.kind} source of "${host.name}" did not answer within ${ms / 1000} s (sourceTimeout)`,
    { credential: host.name, transient: true },
  )
}

/**
 * The error an acquisition ends with. Rules: when retries ran out (the last failure was
 * transient), a {@link TokenAcquisitionError} with the attempt count and the last error as `cause`;
 * a terminal tokenwarden error as it is; any other terminal error wrapped with its attempt count.
 */
export function acquisitionFailure(error: unknown, attempts: number, host: Pick<AcquisitionHost<unknown>, 'name' | 'source'>): TokenError {
  if (isTokenError(error) && !isTransientError(error)) return error
  return new TokenAcquisitionError(
    `could not acquire a token for "${host.name}" from its ${host.source.kind} source` +
      ` after ${attempts} attempt${attempts === 1 ? '' : 's'}${describe(error)}`,
    { cause: error, credential: host.name, attempts, transient: isTransientError(error) },
  )
}

/** The kind recorded on a token: the member that answered for a composite source, else the source's own kind. */
export function producedBy(grant: TokenGrant, kind: string): string {
  const inner = (grant as Partial<TokenGrant> | null | undefined)?.source
  return typeof inner === 'string' && inner.length > 0 ? inner : kind
}

/** A secret-free summary of a source's error: its HTTP status and OAuth error code, when it has them. */
function describe(error: unknown): string {
  if (typeof error !== 'object' || error === null) return ''
  const { status, error: code } = error as { status?: unknown; error?: unknown }
  const parts: string[] = []
  if (typeof status === 'number') parts.push(`status ${status}`)
  if (typeof code === 'string' && /^[\w.-]{1,64}$/.test(code)) parts.push(code)
  if (parts.length === 0 && error instanceof Error) parts.push(error.name)
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`
}
