import type { TestProject } from 'vitest/node'
import { HOSTS_VARIABLE, type RuntimeHosts } from '../host/hosts.ts'
import { startWorldHost } from '../host/world-server.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    runtimeHosts: RuntimeHosts
  }
}

/**
 * Hands the runtime under test the Node host's URLs: the host `npm run test:runtimes` started (in
 * `TOKENWARDEN_RUNTIME_HOSTS`), else one started here for this run.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env[HOSTS_VARIABLE]
  if (given !== undefined && given !== '') {
    project.provide('runtimeHosts', JSON.parse(given) as RuntimeHosts)
    return undefined
  }
  const host = await startWorldHost()
  project.provide('runtimeHosts', host.hosts)
  return () => host.close()
}
