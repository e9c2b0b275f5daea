/**
 * OpenTelemetry: `instrument()` turns what tokenwarden publishes on diagnostics_channel into spans
 * (one per token acquisition) and metrics (acquisitions, retries, challenges, token lifetime, …),
 * here printed by the SDK's console exporters. In your service, pass the providers your
 * OpenTelemetry SDK set up, or nothing to use the global ones.
 */
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { context } from '@opentelemetry/api'
import { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { clientCredentials, credentials, withAuth } from '@tokenwarden/fetch'
import { instrument } from '@tokenwarden/opentelemetry'
import { startLocalIdp } from './support/local-idp.ts'

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()) // spans follow async calls
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] })
const meterProvider = new MeterProvider({
  readers: [new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter(), exportIntervalMillis: 60_000 })],
})
const uninstrument = instrument({ tracerProvider, meterProvider })

const idp = await startLocalIdp() // an OpenID provider and an API on 127.0.0.1: use your own
credentials.register('orders', {
  source: clientCredentials({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, scope: 'api:read' }),
  origins: [idp.apiUrl],
  prefetch: 'lazy', // the first token is acquired for the first request, inside its span
})
const ordersFetch = withAuth(fetch, 'orders')
const tracer = tracerProvider.getTracer('example')

try {
  // The acquisition's span is a child of the request's span: it started while this one was active.
  await tracer.startActiveSpan('GET /orders', async (span) => {
    const response = await ordersFetch(`${idp.apiUrl}/orders`)
    await response.body?.cancel()
    span.end()
  })
  idp.revokeTokens() // the API now answers 401: one new token, the request retried
  const again = await ordersFetch(`${idp.apiUrl}/orders`)
  await again.body?.cancel()
  console.log('after the API revoked the token →', again.status)
} finally {
  uninstrument()
  await credentials.close()
  await idp.close()
  // Shutting down exports what is left: here the metrics (tokenwarden.request.retries, tokenwarden.challenges, …).
  await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()])
}
