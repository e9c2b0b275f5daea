import type { TestProject } from 'vitest/node'
import { EXPECTED_RUNTIME_VARIABLE, HOSTS_VARIABLE, type RuntimeHosts } from '../host/hosts.ts'
import { startWorldHost } from '../host/world-server.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    runtimeHosts: RuntimeHosts
    /** The runtime `npm run test:runtimes` says this run is in; absent when vitest is run by hand. */
    expectedRuntime: string | undefined
  }
}

/**
 * Hands the runtime under test the runtime it should be, and the Node host's URLs: the host `npm run test:runtimes` started (in
 * `TOKENWARDEN_RUNTIME_HOSTS`), else one started here for this run.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  project.provide('expectedRuntime', process.env[EXPECTED_RUNTIME_VARIABLE] || undefined)
  const given = process.env[HOSTS_VARIABLE]
  if (given !== undefined && given !== '') {
    project.provide('runtimeHosts', JSON.parse(given) as RuntimeHosts)
    return undefined
  }
  const host = await startWorldHost()
  project.provide('runtimeHosts', host.hosts)
  return () => host.close()
}
