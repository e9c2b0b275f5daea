import { inspect } from 'node:util'
import { expect } from 'vitest'
import { type CountingSource, countingSource } from './credential.ts'

/** The prefix of every token {@link secretSource} issues: no other text in a test contains it. */
export const SECRET = 'sekret-7f3a'

/** A counting source whose tokens are `sekret-7f3a-1`, `sekret-7f3a-2`, …: easy to look for in logs. */
export function secretSource(): CountingSource {
  return countingSource((call) => ({ accessToken: `${SECRET}-${call}`, expiresIn: 3600 }))
}

/** A counting source whose acquisitions never settle (until the manager closes and abandons them). */
export function hangingSource(): CountingSource {
  return countingSource(() => new Promise(() => {}))
}

/**
 * What a user's logger prints of `error`: `util.inspect` as `console.log` does, at full depth,
 * with hidden properties at full depth, and `JSON.stringify`.
 */
export function logged(error: unknown): string[] {
  return [
    inspect(error),
    inspect(error, { depth: Infinity }),
    inspect(error, { depth: Infinity, showHidden: true }),
    JSON.stringify(error) ?? '',
  ]
}

/** Asserts that no logged form of `error` contains `text`. */
export function expectNotLogged(error: unknown, text: string = SECRET): void {
  for (const form of logged(error)) expect(form).not.toContain(text)
}
