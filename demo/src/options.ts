import { parseArgs } from 'node:util'

/** Where the story runs: against the embedded IdP and API, or against real ones. */
export type Target =
  | { readonly kind: 'embedded' }
  | {
      readonly kind: 'remote'
      readonly issuer: string
      readonly clientId: string
      readonly clientSecret: string | undefined
      readonly scope: string | undefined
      /** The protected URL every request goes to. */
      readonly url: string
    }

/** The demo's options, from flags first, then `DEMO_*` environment variables, then defaults. */
export interface DemoOptions {
  /** Seconds of steady traffic in step 1. */
  readonly durationSeconds: number
  readonly target: Target
  readonly help: boolean
}

/** Thrown for options that do not make sense; its message is meant for the user as it is. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** The `--help` text. */
export const usage = `Usage: npm start -- [options]

Runs a scripted story through the undici, axios, got and fetch adapters: first token, proactive
refresh, a revocation at the API, an IdP outage, and a burst of 1,000 concurrent requests.

Options (each also read from the environment variable in brackets):
  --duration <s>        seconds of steady traffic (DEMO_DURATION) [default: 10]
  --short               the whole story in a few seconds (same as --duration 1)
  --issuer <url>        a real issuer instead of the embedded one (DEMO_ISSUER)
  --client-id <id>      its client, allowed the client credentials grant (DEMO_CLIENT_ID)
  --client-secret <s>   the client's secret (DEMO_CLIENT_SECRET; prefer the variable)
  --scope <scopes>      scopes to request (DEMO_SCOPE)
  --url <url>           the protected URL to call with the token (DEMO_URL)
  -h, --help            this text

With --issuer, the steps that need control of the IdP or the API (revocation, outage) are skipped.`

const DEFAULT_DURATION_SECONDS = 10

const FLAGS = {
  duration: { type: 'string' },
  short: { type: 'boolean', default: false },
  issuer: { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  scope: { type: 'string' },
  url: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const

function readFlags(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }).values
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

/** Reads `argv` (without the node and script paths) and `env`. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): DemoOptions {
  const values = readFlags(argv)
  const pick = (flag: string | undefined, variable: string): string | undefined => {
    const value = flag ?? env[variable]
    return value === undefined || value === '' ? undefined : value
  }
  const durationText = values.short ? '1' : pick(values.duration, 'DEMO_DURATION')
  const durationSeconds = durationText === undefined ? DEFAULT_DURATION_SECONDS : Number(durationText)
  if (!Number.isFinite(durationSeconds) || durationSeconds <= 0) {
    throw new UsageError(`--duration must be a positive number of seconds, not "${durationText}"`)
  }
  const target = readTarget({
    issuer: pick(values.issuer, 'DEMO_ISSUER'),
    clientId: pick(values['client-id'], 'DEMO_CLIENT_ID'),
    clientSecret: pick(values['client-secret'], 'DEMO_CLIENT_SECRET'),
    scope: pick(values.scope, 'DEMO_SCOPE'),
    url: pick(values.url, 'DEMO_URL'),
  })
  return { durationSeconds, target, help: values.help }
}

function readTarget(given: Record<'issuer' | 'clientId' | 'clientSecret' | 'scope' | 'url', string | undefined>): Target {
  const { issuer, clientId, clientSecret, scope, url } = given
  if (issuer === undefined) {
    const stray = Object.entries({ '--client-id': clientId, '--client-secret': clientSecret, '--scope': scope, '--url': url })
      .filter(([, value]) => value !== undefined)
      .map(([flag]) => flag)
    if (stray.length > 0) throw new UsageError(`${stray.join(', ')} need --issuer (a real IdP); without it the demo runs its own`)
    return { kind: 'embedded' }
  }
  if (clientId === undefined) throw new UsageError('--issuer needs --client-id')
  if (url === undefined) throw new UsageError('--issuer needs --url, the protected URL to call')
  for (const [flag, value] of [['--issuer', issuer], ['--url', url]] as const) {
    if (!URL.canParse(value)) throw new UsageError(`${flag} must be an absolute URL, not "${value}"`)
  }
  return { kind: 'remote', issuer, clientId, clientSecret, scope, url }
}
