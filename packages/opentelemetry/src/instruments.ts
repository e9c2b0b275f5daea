import type { Counter, Histogram, Meter, UpDownCounter } from '@opentelemetry/api'
import { metricNames as names } from './names.ts'

/** Bucket boundaries of the acquisition duration (seconds): from 5 ms to a minute, as for HTTP client durations. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60]
/** Bucket boundaries of a token's remaining lifetime (seconds): from seconds to a day. */
const LIFETIME_BUCKETS = [0, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400]

/** Every instrument {@link instrument} records on; see {@link metricNames}. */
export interface Instruments {
  readonly acquisitions: Counter
  readonly acquisitionDuration: Histogram
  readonly tokenRemainingLifetime: Histogram
  readonly requestRetries: Counter
  readonly challenges: Counter
  readonly refreshFailures: Counter
  readonly leaseOutcomes: Counter
  readonly storeFailures: Counter
  readonly poolSize: UpDownCounter
  readonly poolEvictions: Counter
  readonly redisAvailabilityChanges: Counter
}

/** Creates the instruments on `meter`. */
export function createInstruments(meter: Meter): Instruments {
  return {
    acquisitions: meter.createCounter(names.acquisitions, { unit: '{acquisition}', description: 'Token acquisitions, by reason and outcome.' }),
    acquisitionDuration: meter.createHistogram(names.acquisitionDuration, {
      unit: 's',
      description: 'How long token acquisitions took, from start to token or failure.',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    tokenRemainingLifetime: meter.createHistogram(names.tokenRemainingLifetime, {
      unit: 's',
      description: 'The remaining lifetime of each token served from memory.',
      advice: { explicitBucketBoundaries: LIFETIME_BUCKETS },
    }),
    requestRetries: meter.createCounter(names.requestRetries, { unit: '{retry}', description: 'Requests sent again after a 401 or 403, by kind.' }),
    challenges: meter.createCounter(names.challenges, { unit: '{challenge}', description: 'Authentication challenges seen in responses.' }),
    refreshFailures: meter.createCounter(names.refreshFailures, { unit: '{failure}', description: 'Failed calls to a token source, by code.' }),
    leaseOutcomes: meter.createCounter(names.leaseOutcomes, {
      unit: '{acquisition}',
      description: 'Acquisitions a coordinating store answered, by lease outcome.',
    }),
    storeFailures: meter.createCounter(names.storeFailures, { unit: '{failure}', description: 'Token store reads and writes that failed.' }),
    poolSize: meter.createUpDownCounter(names.poolSize, { unit: '{credential}', description: 'Managers a credential pool holds.' }),
    poolEvictions: meter.createCounter(names.poolEvictions, { unit: '{credential}', description: 'Managers a credential pool dropped, by reason.' }),
    redisAvailabilityChanges: meter.createCounter(names.redisAvailabilityChanges, {
      unit: '{change}',
      description: 'Times a Redis store found Redis unavailable, or available again.',
    }),
  }
}
