/**
 * The channels `@tokenwarden/core` (and `@tokenwarden/redis`) publish on: the same names as core's
 * `diagnosticsChannels`, kept here so that this package works with whichever copy of core is
 * installed, without depending on it.
 */
export const channels = {
  acquisition: 'tokenwarden:acquisition',
  tokenServed: 'tokenwarden:token:served',
  refreshFailed: 'tokenwarden:refresh:failed',
  requestRetried: 'tokenwarden:request:retried',
  challenge: 'tokenwarden:challenge',
  storeCoordinated: 'tokenwarden:store:coordinated',
  storeFailed: 'tokenwarden:store:failed',
  poolCreated: 'tokenwarden:pool:created',
  poolEvicted: 'tokenwarden:pool:evicted',
  redisAvailability: 'tokenwarden:redis:availability',
} as const
