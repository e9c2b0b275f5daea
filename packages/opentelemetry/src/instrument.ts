import { type MeterProvider, type TracerProvider, metrics, trace } from '@opentelemetry/api'
import type { AcquisitionMessage, RefreshFailedMessage } from '@tokenwarden/core'
import { AcquisitionSpans } from './acquisition-spans.ts'
import { channels } from './channels.ts'
import { createInstruments } from './instruments.ts'
import { type Off, listen } from './listen.ts'
import { metricRecorders } from './record-metrics.ts'

/** The instrumentation scope's name and version, as tracers and meters report them. */
const SCOPE = { name: '@tokenwarden/opentelemetry', version: '0.1.0' } as const

/** Options of {@link instrument}. */
export interface InstrumentOptions {
  /**
   * Where spans go.
   * @default the global tracer provider (`trace.getTracerProvider()`), read when `instrument` is called
   */
  tracerProvider?: TracerProvider | undefined
  /**
   * Where metrics go.
   * @default the global meter provider (`metrics.getMeterProvider()`), read when `instrument` is called
   */
  meterProvider?: MeterProvider | undefined
}

/**
 * Turns what tokenwarden publishes on `diagnostics_channel` into OpenTelemetry spans and metrics,
 * for every credential of every copy of `@tokenwarden/core` in the process. Simple rules:
 * - one span (`tokenwarden.acquisition`) per acquisition, a child of the span active when it
 *   started (the request's, when a request needed the token);
 * - the metrics of {@link metricNames}, with the attributes of {@link attributeNames}: never a
 *   token, a secret or a URL; a pooled credential is counted under its pool's name;
 * - nothing it does can fail a request or an acquisition: what its handlers (or the SDK) throw is dropped;
 * - it costs nothing once undone: every channel is left, and spans still open are ended.
 *
 * @returns a function that undoes it (calling it again does nothing).
 *
 * @example
 * ```ts
 * import { instrument } from '@tokenwarden/opentelemetry'
 * const uninstrument = instrument() // the global providers, set up by your OpenTelemetry SDK
 * ```
 */
export function instrument(options: InstrumentOptions = {}): () => void {
  const { tracerProvider, meterProvider } = checkOptions(options)
  const tracer = (tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE.name, SCOPE.version)
  const meter = (meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE.name, SCOPE.version)
  const spans = new AcquisitionSpans(tracer)
  const record = metricRecorders(createInstruments(meter))
  const offs: Off[] = [
    listen<AcquisitionMessage>(`tracing:${channels.acquisition}:start`, (message) => spans.start(message)),
    listen<AcquisitionMessage>(`tracing:${channels.acquisition}:asyncEnd`, (message) => spans.end(message)),
    listen(`tracing:${channels.acquisition}:asyncEnd`, record.acquired),
    listen<RefreshFailedMessage>(channels.refreshFailed, (message) => spans.attemptFailed(message)),
    listen(channels.refreshFailed, record.refreshFailed),
    listen(channels.tokenServed, record.served),
    listen(channels.requestRetried, record.retried),
    listen(channels.challenge, record.challenged),
    listen(channels.storeCoordinated, record.coordinated),
    listen(channels.storeFailed, record.storeFailed),
    listen(channels.poolCreated, record.poolCreated),
    listen(channels.poolEvicted, record.poolEvicted),
    listen(channels.redisAvailability, record.redisAvailability),
  ]
  return () => {
    for (const off of offs.splice(0)) off()
    spans.endAll()
  }
}

/** Checks the options at the boundary: a bad one throws a `TypeError` coded `TOKEN_INVALID_OPTION` that names it. */
function checkOptions(options: InstrumentOptions): InstrumentOptions {
  if (typeof options !== 'object' || options === null) throw invalidOption('options', 'an object')
  const { tracerProvider, meterProvider } = options
  if (tracerProvider !== undefined && typeof tracerProvider?.getTracer !== 'function') {
    throw invalidOption('tracerProvider', 'a TracerProvider (with getTracer)')
  }
  if (meterProvider !== undefined && typeof meterProvider?.getMeter !== 'function') {
    throw invalidOption('meterProvider', 'a MeterProvider (with getMeter)')
  }
  return options
}

function invalidOption(name: string, expected: string): TypeError {
  return Object.assign(new TypeError(`instrument: ${name} must be ${expected}`), { code: 'TOKEN_INVALID_OPTION', option: name })
}
