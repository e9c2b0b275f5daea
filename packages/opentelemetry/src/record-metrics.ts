import type {
  AcquisitionMessage,
  ChallengeMessage,
  PoolCreatedMessage,
  PoolEvictedMessage,
  RedisAvailabilityMessage,
  RefreshFailedMessage,
  RequestRetriedMessage,
  StoreCoordinatedMessage,
  StoreFailedMessage,
  TokenServedMessage,
} from '@tokenwarden/core'
import { defined, metricSubject, word } from './attributes.ts'
import type { Instruments } from './instruments.ts'
import { attributeNames as names } from './names.ts'

/** How each channel's messages become metric points. */
export interface MetricRecorders {
  acquired(message: AcquisitionMessage): void
  served(message: TokenServedMessage): void
  retried(message: RequestRetriedMessage): void
  challenged(message: ChallengeMessage): void
  refreshFailed(message: RefreshFailedMessage): void
  coordinated(message: StoreCoordinatedMessage): void
  storeFailed(message: StoreFailedMessage): void
  poolCreated(message: PoolCreatedMessage): void
  poolEvicted(message: PoolEvictedMessage): void
  redisAvailability(message: RedisAvailabilityMessage): void
}

/** The recorders of `instruments`; durations recorded in seconds. */
export function metricRecorders(instruments: Instruments): MetricRecorders {
  return {
    acquired(message) {
      const attributes = defined({
        ...metricSubject(message),
        [names.reason]: message.reason,
        [names.outcome]: message.outcome,
        [names.errorType]: message.code,
      })
      instruments.acquisitions.add(1, attributes)
      if (message.durationMs !== undefined) instruments.acquisitionDuration.record(message.durationMs / 1000, attributes)
    },
    served(message) {
      if (message.remainingMs === undefined) return
      instruments.tokenRemainingLifetime.record(Math.max(0, message.remainingMs / 1000), { ...metricSubject(message), [names.stale]: message.stale })
    },
    retried(message) {
      instruments.requestRetries.add(1, { ...metricSubject(message), [names.retryKind]: message.kind, [names.status]: message.status })
    },
    challenged(message) {
      instruments.challenges.add(
        1,
        defined({
          ...metricSubject(message),
          [names.status]: message.status,
          [names.challengeScheme]: word(message.scheme),
          [names.challengeError]: word(message.error),
          [names.challengeAction]: message.action,
        }),
      )
    },
    refreshFailed(message) {
      instruments.refreshFailures.add(
        1,
        defined({
          ...metricSubject(message),
          [names.reason]: message.reason,
          [names.errorType]: message.code,
          [names.status]: message.status,
          [names.oauthError]: word(message.oauthError),
          [names.willRetry]: message.retryInMs !== undefined,
        }),
      )
    },
    coordinated(message) {
      instruments.leaseOutcomes.add(1, { ...metricSubject(message), [names.leaseOutcome]: message.outcome })
    },
    storeFailed(message) {
      instruments.storeFailures.add(1, { ...metricSubject(message), [names.errorType]: message.code })
    },
    poolCreated(message) {
      instruments.poolSize.add(1, { [names.pool]: message.pool })
    },
    poolEvicted(message) {
      instruments.poolSize.add(-1, { [names.pool]: message.pool })
      instruments.poolEvictions.add(1, { [names.pool]: message.pool, [names.evictionReason]: message.reason })
    },
    redisAvailability(message) {
      instruments.redisAvailabilityChanges.add(1, {
        [names.redisAvailable]: message.available,
        [names.redisKeyPrefix]: message.keyPrefix,
      })
    },
  }
}
