import type { RequestAuthOptions } from '@tokenwarden/core'
import { type AuthFixture, type AuthFixtureOptions, type Echo, authFixture } from '@tokenwarden/test-utils/http'
import { onTestFinished } from 'vitest'
import type { ClientDriver, TestClient, TestResponse } from './drivers/types.ts'

/** A fixture and a client of the driver under test, both closed when the test finishes. */
export interface Harness extends AuthFixture {
  readonly client: TestClient
}

/**
 * Starts an {@link authFixture} and a client for its credential (by name, in the fixture's own
 * registry, or as the manager itself with `byManager`); both are closed when the test finishes.
 */
export async function harness(
  driver: ClientDriver,
  options: AuthFixtureOptions & { auth?: RequestAuthOptions; byManager?: boolean } = {},
): Promise<Harness> {
  const fixture = await authFixture(options)
  const credential = options.byManager === true ? fixture.manager : fixture.name
  const client = await driver.create(credential, { registry: fixture.registry, ...options.auth })
  onTestFinished(() => client.close())
  return { ...fixture, client }
}

/** The JSON a resource server echoes. */
export function echo(response: TestResponse): Echo {
  return JSON.parse(response.body) as Echo
}

/** `driver.create(…)`, as a promise, so a refusal reads the same whether it throws or rejects. */
export async function create(driver: ClientDriver, ...args: Parameters<ClientDriver['create']>): Promise<TestClient> {
  const client = await driver.create(...args)
  onTestFinished(() => client.close())
  return client
}

/** The first tokenwarden error (a `TOKEN_*` code) in `error` and its `cause` chain. */
export function tokenErrorIn(error: unknown): (Error & { code: string; cause?: unknown }) | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && code.startsWith('TOKEN_')) return current as Error & { code: string }
  }
  return undefined
}
