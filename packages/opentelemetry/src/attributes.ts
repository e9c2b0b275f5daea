import type { Attributes } from '@opentelemetry/api'
import type { CredentialMessage } from '@tokenwarden/core'
import { attributeNames as names } from './names.ts'

/**
 * Whom a metric point is about: a pooled credential's pool (a pool's keys are unbounded, and each
 * would be a time series of its own), else the credential.
 */
export function metricSubject(message: CredentialMessage): Attributes {
  return message.pool === undefined ? { [names.credential]: message.credential } : { [names.pool]: message.pool }
}

/** Whom a span is about: the credential, and its pool when it has one. */
export function spanSubject(message: CredentialMessage): Attributes {
  return message.pool === undefined
    ? { [names.credential]: message.credential }
    : { [names.credential]: message.credential, [names.pool]: message.pool }
}

const WORD = /^[\w.-]{1,64}$/

/**
 * A value a server chose (a challenge's scheme or error, an OAuth error code) as an attribute:
 * itself when it is a short word, else `_OTHER` (OpenTelemetry's word for a value outside the
 * known set): never free text, and a bounded number of time series.
 */
export function word(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  return WORD.test(value) ? value : '_OTHER'
}

/** `attributes` without the entries whose value is `undefined`. */
export function defined(attributes: Record<string, string | number | boolean | undefined>): Attributes {
  const out: Attributes = {}
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = value
  return out
}
