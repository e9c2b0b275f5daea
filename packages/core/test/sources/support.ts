import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { afterEach, expect } from 'vitest'

/** Every way an error may end up in a log: none of them may hold any of `secrets`. */
export function expectNoSecret(error: unknown, secrets: readonly string[]): void {
  const views = [
    String(error),
    JSON.stringify(error),
    inspect(error, { depth: Infinity }),
    inspect(error, { depth: Infinity, showHidden: true }),
    error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : '',
  ]
  for (const secret of secrets) for (const view of views) expect(view).not.toContain(secret)
}

/** The rejection of `promise`, failing the test when it fulfils. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

const made: string[] = []
afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

/** A fresh directory under the OS's temporary directory, removed after the test. */
export async function temporaryDirectory(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tokenwarden-'))
  made.push(dir)
  return dir
}

export { acquireContext } from '../oauth/support/context.ts'
