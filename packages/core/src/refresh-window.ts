/**
 * When a token is renewed. Simple rules:
 * - the **mandatory** window (`expirySkew`) ends the token's use: inside it the token counts as
 *   expired and callers wait for a new one. Default: a tenth of the lifetime, at most 30 s; never
 *   more than a quarter of the lifetime, whatever was configured (an `expirySkew` of 60 s must not
 *   make every 60 s token count as expired on arrival);
 * - the **advisory** window (`refreshBefore`) starts one background refresh while the token is still
 *   served. Default: a fifth of the lifetime, at most 5 min, stretched by up to 10% at random so a
 *   fleet does not refresh in step; never more than half the lifetime, whatever was configured;
 * - a server's `refresh_in` sets the start of the advisory window outright, but never past the
 *   mandatory one.
 */
export const refreshDefaults: Readonly<{
  advisoryFraction: number
  maxAdvisoryWindowInMs: number
  advisoryJitterFraction: number
  maxAdvisoryFraction: number
  mandatoryFraction: number
  maxMandatoryWindowInMs: number
  maxMandatoryFraction: number
}> = Object.freeze({
  advisoryFraction: 0.2,
  maxAdvisoryWindowInMs: 5 * 60_000,
  advisoryJitterFraction: 0.1,
  maxAdvisoryFraction: 0.5,
  mandatoryFraction: 0.1,
  maxMandatoryWindowInMs: 30_000,
  maxMandatoryFraction: 0.25,
})

/** The mandatory window of a token living `lifetimeMs`, given the configured `expirySkew` in ms. */
export function mandatoryWindowMs(lifetimeMs: number, expirySkewMs: number | undefined): number {
  if (expirySkewMs !== undefined) return Math.min(expirySkewMs, lifetimeMs * refreshDefaults.maxMandatoryFraction)
  return Math.min(lifetimeMs * refreshDefaults.mandatoryFraction, refreshDefaults.maxMandatoryWindowInMs)
}

/** The advisory window of a token living `lifetimeMs`, given the configured `refreshBefore` in ms. */
export function advisoryWindowMs(lifetimeMs: number, refreshBeforeMs: number | undefined, random: number): number {
  const base =
    refreshBeforeMs ??
    Math.min(lifetimeMs * refreshDefaults.advisoryFraction, refreshDefaults.maxAdvisoryWindowInMs)
  const jittered = base * (1 + refreshDefaults.advisoryJitterFraction * random)
  return Math.min(jittered, lifetimeMs * refreshDefaults.maxAdvisoryFraction)
}
