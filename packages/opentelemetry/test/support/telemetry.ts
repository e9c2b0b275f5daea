import { type Attributes, context } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { onTestFinished } from 'vitest'
import { instrument } from '../../src/index.ts'

/** One metric point as a test reads it: its attributes and its value (a sum, or a histogram's count and sum). */
export interface Point {
  readonly attributes: Attributes
  readonly value: number
  readonly count?: number
  readonly sum?: number
}

/** An instrumented process: the SDK's in-memory exporters behind `instrument()`. */
export interface Telemetry {
  readonly tracerProvider: BasicTracerProvider
  /** The spans ended so far. */
  spans(): ReadableSpan[]
  /** The points of metric `name` collected now. */
  points(name: string): Promise<Point[]>
  /** Every attribute value of every span (and its events) and metric point exported so far, as text. */
  everyAttribute(): Promise<string[]>
  /** Undoes `instrument()`. */
  uninstrument(): void
}

/**
 * Sets up tracing (an in-memory exporter, AsyncLocalStorage context) and metrics (an in-memory
 * exporter behind a periodic reader, flushed on demand), and calls `instrument()` with both
 * providers. Everything is shut down when the test finishes.
 */
export function useTelemetry(): Telemetry {
  const contextManager = new AsyncLocalStorageContextManager().enable()
  context.setGlobalContextManager(contextManager)
  const spanExporter = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] })
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 })
  const meterProvider = new MeterProvider({ readers: [reader] })
  const uninstrument = instrument({ tracerProvider, meterProvider })
  onTestFinished(async () => {
    uninstrument()
    await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()])
    context.disable()
  })
  const collect = async (): Promise<ResourceMetrics[]> => {
    metricExporter.reset()
    await reader.forceFlush()
    return metricExporter.getMetrics()
  }
  return {
    tracerProvider,
    spans: () => spanExporter.getFinishedSpans(),
    async points(name) {
      const points: Point[] = []
      for (const resource of await collect()) {
        for (const scope of resource.scopeMetrics) {
          for (const metric of scope.metrics) {
            if (metric.descriptor.name !== name) continue
            for (const point of metric.dataPoints) {
              const value = point.value
              if (typeof value === 'number') points.push({ attributes: point.attributes, value })
              else points.push({ attributes: point.attributes, value: value.count, count: value.count, sum: value.sum ?? 0 })
            }
          }
        }
      }
      return points
    },
    async everyAttribute() {
      const values: unknown[] = []
      for (const span of spanExporter.getFinishedSpans()) {
        values.push(span.name, ...Object.values(span.attributes), span.status.message)
        for (const event of span.events) values.push(event.name, ...Object.values(event.attributes ?? {}))
      }
      for (const resource of await collect()) {
        for (const scope of resource.scopeMetrics) {
          for (const metric of scope.metrics) for (const point of metric.dataPoints) values.push(...Object.values(point.attributes))
        }
      }
      return values.filter((value) => value !== undefined).map(String)
    },
    uninstrument,
  }
}

/** The sum of the values of `points` whose attributes include `attributes`. */
export function total(points: readonly Point[], attributes: Attributes = {}): number {
  return points
    .filter((point) => Object.entries(attributes).every(([key, value]) => point.attributes[key] === value))
    .reduce((sum, point) => sum + point.value, 0)
}
