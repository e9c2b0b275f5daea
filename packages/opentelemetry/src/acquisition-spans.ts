import { type Span, SpanKind, SpanStatusCode, type Tracer, context } from '@opentelemetry/api'
import type { AcquisitionMessage, RefreshFailedMessage } from '@tokenwarden/core'
import { defined, spanSubject, word } from './attributes.ts'
import { attributeNames as names } from './names.ts'

/** The name of every acquisition's span. */
export const ACQUISITION_SPAN = 'tokenwarden.acquisition'

/**
 * One span per acquisition. Simple rules:
 * - it starts with the acquisition, in the context active then: a child of the request's span
 *   when a request started it, a root span for a background refresh;
 * - each failed source call is an event on it (`tokenwarden.refresh.failed`);
 * - it ends with the acquisition: its outcome, attempts and the new token's facts as attributes,
 *   status `ERROR` with the failure's code (never its message) when it failed.
 */
export class AcquisitionSpans {
  readonly #tracer: Tracer
  readonly #open = new Map<AcquisitionMessage, Span>()

  constructor(tracer: Tracer) {
    this.#tracer = tracer
  }

  start(message: AcquisitionMessage): void {
    const attributes = { ...spanSubject(message), [names.reason]: message.reason, [names.source]: message.source }
    this.#open.set(message, this.#tracer.startSpan(ACQUISITION_SPAN, { kind: SpanKind.INTERNAL, attributes }, context.active()))
  }

  /** A source call failed: an event on the span of its credential's acquisition in flight. */
  attemptFailed(message: RefreshFailedMessage): void {
    for (const [acquisition, span] of this.#open) {
      if (acquisition.credential !== message.credential) continue
      span.addEvent(
        'tokenwarden.refresh.failed',
        defined({
          [names.attempts]: message.attempt,
          [names.errorType]: message.code,
          [names.status]: message.status,
          [names.oauthError]: word(message.oauthError),
          [names.willRetry]: message.retryInMs !== undefined,
        }),
      )
    }
  }

  end(message: AcquisitionMessage): void {
    const span = this.#open.get(message)
    if (span === undefined) return
    this.#open.delete(message)
    span.setAttributes(
      defined({
        [names.outcome]: message.outcome,
        [names.attempts]: message.attempts,
        [names.generation]: message.generation,
        [names.tokenType]: message.tokenType,
        [names.lifetime]: message.lifetimeMs === undefined ? undefined : message.lifetimeMs / 1000,
        [names.errorType]: message.code,
      }),
    )
    if (message.outcome === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: message.code })
    span.end()
  }

  /** Ends the spans of acquisitions still in flight (when the instrumentation is undone). */
  endAll(): void {
    for (const span of this.#open.values()) span.end()
    this.#open.clear()
  }
}
