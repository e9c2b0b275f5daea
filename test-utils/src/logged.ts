import { inspect } from 'node:util'
import { expect } from 'vitest'

/**
 * Every form in which a user's logger may print `value`: `String()`, `util.inspect` as
 * `console.log` does, at full depth, with hidden properties at full depth, `JSON.stringify`, and an
 * error's message with its stack.
 */
export function logged(value: unknown): string[] {
  const text = (): string => {
    try {
      return String(value)
    } catch {
      return ''
    }
  }
  return [
    text(),
    inspect(value),
    inspect(value, { depth: Infinity }),
    inspect(value, { depth: Infinity, showHidden: true }),
    JSON.stringify(value) ?? '',
    value instanceof Error ? `${value.message}\n${value.stack ?? ''}` : '',
  ]
}

/** Asserts that no {@link logged} form of `value` contains any of `texts` (a token, a secret). */
export function expectNotLogged(value: unknown, ...texts: string[]): void {
  if (texts.length === 0) throw new TypeError('expectNotLogged: name the text that must not be logged')
  const forms = logged(value)
  for (const text of texts) for (const form of forms) expect(form).not.toContain(text)
}
