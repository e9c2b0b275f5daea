import { ErrorCode, TokenError, invalidOption } from '../errors.ts'
import type { TokenSource } from '../source.ts'
import { type GrantParser, checkGrantParser, parseGrantText } from './parse-grant.ts'

/** Options of {@link env}. */
export interface EnvOptions {
  /**
   * How the variable's value becomes a grant: `'text'` (the trimmed value is the access token),
   * `'json'` (a token-endpoint-like JSON object) or a function.
   * @default JSON when the value starts with `{`, text otherwise
   */
  parse?: GrantParser | undefined
  /**
   * The environment to read: required where the runtime has no `process.env` (browsers, workerd
   * without `nodejs_compat`, where a Worker's `env` bindings can be given).
   * @default process.env, looked up at each acquisition
   */
  env?: Readonly<Record<string, string | undefined>> | undefined
}

/**
 * A source that reads an environment variable at each acquisition, so a value changed at run time
 * is picked up at the next renewal. An unset or blank variable fails with
 * {@link ErrorCode.SOURCE_UNAVAILABLE}, terminal: waiting will not set it. Where the runtime has no
 * `process.env`, `options.env` is required (a coded `TypeError` naming `env` otherwise).
 *
 * @param name - the variable's name.
 * @example
 * ```ts
 * const manager = new TokenManager({ name: 'api', source: env('API_TOKEN'), origins: ['https://api.example.com'] })
 * const fromJson = env('API_GRANT', { parse: 'json' }) // API_GRANT='{"access_token":"…","expires_in":3600}'
 * ```
 */
export function env(name: string, options: EnvOptions = {}): TokenSource {
  if (typeof name !== 'string' || name.length === 0) throw invalidOption('name', 'a non-empty string')
  const parse = checkGrantParser(options.parse)
  if (options.env !== undefined && (typeof options.env !== 'object' || options.env === null)) {
    throw invalidOption('env', 'an object of environment variables')
  }
  if (options.env === undefined && processEnv() === undefined) {
    throw invalidOption('env', 'an object of environment variables (this runtime has no process.env)')
  }
  const variables = options.env
  return {
    kind: 'env',
    async acquire({ signal }) {
      signal.throwIfAborted()
      const value = (variables ?? processEnv() ?? {})[name]
      if (value === undefined || value.trim().length === 0) {
        throw new TokenError(ErrorCode.SOURCE_UNAVAILABLE, `the environment variable "${name}" is not set`, {
          transient: false,
        })
      }
      return parseGrantText(value, parse, 'env')
    },
  }
}

/** `process.env` where the runtime has one. */
function processEnv(): Readonly<Record<string, string | undefined>> | undefined {
  const env = (globalThis as { process?: { env?: unknown } }).process?.env
  return typeof env === 'object' && env !== null ? (env as Readonly<Record<string, string | undefined>>) : undefined
}
