import { afterEach } from 'vitest'

/**
 * Rules: every OpenID provider a test starts is configured in full (its own storage, keys and
 * policies). oidc-provider prints `oidc-provider WARNING: … you MUST change it` or a NOTICE when a
 * quick-start default is used, which reads like a failure in the test output: the test during which
 * one is printed fails, naming it.
 */
const printed: string[] = []
for (const method of ['warn', 'info'] as const) {
  const original = console[method]
  console[method] = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && /oidc-provider (WARNING|NOTICE)/.test(args[0])) printed.push(args[0])
    original.apply(console, args)
  }
}

afterEach(() => {
  if (printed.length > 0) {
    throw new Error(`oidc-provider printed a quick-start notice during this test: ${printed.splice(0).join('; ')}`)
  }
})
