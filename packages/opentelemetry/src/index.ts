/**
 * `@tokenwarden/opentelemetry`: OpenTelemetry spans and metrics from what tokenwarden publishes on
 * `diagnostics_channel`.
 *
 * @packageDocumentation
 */
export { type InstrumentOptions, instrument } from './instrument.ts'
export { attributeNames, metricNames } from './names.ts'
