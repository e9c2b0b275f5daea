import { CheckError } from './runtime-case.ts'

/** JSON with object keys sorted, so that two equal values print alike. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  )
}

/** Checks that `actual` equals `expected` as JSON data (key order aside); `what` names the value. */
export function checkEqual(actual: unknown, expected: unknown, what: string): void {
  const [a, e] = [canonical(actual), canonical(expected)]
  if (a !== e) throw new CheckError(`${what}: expected ${e}, got ${a}`)
}

/** Checks that `condition` holds; `what` says what should be true. */
export function checkThat(condition: boolean, what: string): void {
  if (!condition) throw new CheckError(`expected ${what}`)
}

/** Awaits `promise`, which must reject; answers the reason. */
export async function rejectionOf(promise: Promise<unknown>, what: string): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new CheckError(`expected ${what} to reject`)
}
