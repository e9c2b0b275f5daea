import { CredentialRegistry, type TokenManager } from '@tokenwarden/core'
import { afterEach } from 'vitest'
import { type CountingSource, testManager } from './credential.ts'
import { type Loopback, type Responder, listen } from './loopback.ts'

/** Factories for an adapter test's servers, managers and registries, all closed after each test. */
export interface AdapterFixtures {
  server(respond?: Responder): Promise<Loopback>
  manager(origins: readonly string[], source?: CountingSource): { manager: TokenManager; source: CountingSource }
  registry(): CredentialRegistry
}

/** Registers the after-each cleanup and returns the factories. Call once at a test file's top level. */
export function useAdapterFixtures(): AdapterFixtures {
  const cleanups: (() => Promise<unknown>)[] = []
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
  })
  return {
    async server(respond) {
      const loopback = await listen(respond)
      cleanups.push(() => loopback.close())
      return loopback
    },
    manager(origins, source) {
      const made = testManager(origins, source)
      cleanups.push(() => made.manager.close())
      return made
    },
    registry() {
      const made = new CredentialRegistry()
      cleanups.push(() => made.close())
      return made
    },
  }
}
