import { runtimeCases } from '../cases/index.ts'
import { runtimeName } from '../cases/runtime-name.ts'
import type { RuntimeHosts } from '../host/hosts.ts'

/** What the worker answers for one case. */
export interface CaseResult {
  readonly name: string
  /** Where the case ran (see `runtimeName`): `workerd`. */
  readonly runtime: string
  /** The failure, as `name: message [code]`; absent when the case passed. */
  readonly error?: string
  /** Reasons of promise rejections nobody handled while the case ran. */
  readonly unhandled: readonly string[]
}

/** What the Node side posts: which case to run, and where the host is. */
export interface CaseRequest {
  readonly name: string
  readonly hosts: RuntimeHosts
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const code = (error as { code?: unknown }).code
  return `${error.name}: ${error.message}${typeof code === 'string' ? ` [${code}]` : ''}`
}

const unhandled: string[] = []
addEventListener('unhandledrejection', (event) => {
  unhandled.push(describe((event as PromiseRejectionEvent).reason))
})

/**
 * The portable suite as a worker: each request runs one case, named in its JSON body, and answers
 * its {@link CaseResult}.
 */
export default {
  async fetch(request: Request): Promise<Response> {
    const { name, hosts } = (await request.json()) as CaseRequest
    const runtimeCase = runtimeCases.find((c) => c.name === name)
    if (runtimeCase === undefined) return Response.json({ name, runtime: runtimeName(), error: `no case named ${JSON.stringify(name)}`, unhandled: [] })
    unhandled.length = 0
    let error: string | undefined
    try {
      await runtimeCase.run(hosts)
    } catch (caught) {
      error = describe(caught)
    }
    // A rejection left unhandled is reported after the microtasks that could still handle it.
    await new Promise((resolve) => setTimeout(resolve, 0))
    return Response.json({ name, runtime: runtimeName(), ...(error === undefined ? {} : { error }), unhandled: unhandled.splice(0) } satisfies CaseResult)
  },
}
