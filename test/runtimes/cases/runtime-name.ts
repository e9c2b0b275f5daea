/**
 * The runtime this code runs in, named as `npm run test:runtimes` names its runs: `node24`,
 * `node22`, `bun`, `deno`, `workerd`, `chromium`, else `unknown (…)`. So that a run cannot pass in
 * another runtime than the one it claims (a wrapper that falls back to Node, say).
 */
export function runtimeName(): string {
  const global = globalThis as {
    Bun?: unknown
    Deno?: unknown
    document?: unknown
    navigator?: { userAgent?: string }
    process?: { versions?: { node?: string } }
  }
  const agent = global.navigator?.userAgent ?? ''
  if (global.Deno !== undefined) return 'deno'
  if (global.Bun !== undefined) return 'bun'
  if (agent === 'Cloudflare-Workers') return 'workerd'
  if (global.document !== undefined) return /(Chrome|Chromium)\//.test(agent) ? 'chromium' : `unknown (${agent})`
  const node = global.process?.versions?.node
  return node === undefined ? `unknown (${agent})` : `node${node.split('.')[0]}`
}
