import { None, type ServerMetadata, allowInsecureRequests, customFetch, discovery } from 'openid-client'
import { ErrorCode, TokenPolicyError, invalidOption } from '../errors.ts'
import { isLoopbackHost } from '../policy/origins.ts'
import { endpointFailure, malformedAnswer } from './endpoint-failure.ts'
import { HttpExchange } from './http-exchange.ts'

/** Where one source's token endpoint is: given outright, or discovered from the issuer. */
export interface ServerTarget {
  /**
   * The server metadata; discovery is cached per process and issuer, failures are not. `unref`:
   * the discovery request, if this call starts one, never holds the process by itself.
   */
  metadata(timeoutMs: number, unref?: boolean): Promise<ServerMetadata>
}

const discovered = new Map<string, Promise<ServerMetadata>>()
const DISCOVERY_CLIENT_ID = 'tokenwarden-discovery'

/**
 * Checks `issuer` / `tokenEndpoint` and returns where the token endpoint is. Both are refused with
 * `TOKEN_INSECURE_TRANSPORT` when they use plain http to a host that is not loopback.
 */
export function serverTarget(options: {
  issuer?: string | URL | undefined
  tokenEndpoint?: string | URL | undefined
  discovery?: 'oidc' | 'oauth2' | undefined
}): ServerTarget {
  const issuer = options.issuer === undefined ? undefined : secureUrl(options.issuer, 'issuer')
  const endpoint = options.tokenEndpoint === undefined ? undefined : secureUrl(options.tokenEndpoint, 'tokenEndpoint')
  const algorithm = options.discovery ?? 'oidc'
  if (algorithm !== 'oidc' && algorithm !== 'oauth2') throw invalidOption('discovery', "'oidc' or 'oauth2'")
  if (endpoint !== undefined) {
    const identifier = options.issuer === undefined ? endpoint.href : String(options.issuer)
    const metadata: ServerMetadata = { issuer: identifier, token_endpoint: endpoint.href }
    return { metadata: () => Promise.resolve(metadata) }
  }
  if (issuer === undefined) throw invalidOption('issuer', 'an issuer URL (or give tokenEndpoint)')
  return { metadata: (timeoutMs, unref = false) => discover(issuer, algorithm, timeoutMs, unref) }
}

/** Whether openid-client must be told to allow plain http for `url` (loopback only, checked before). */
export function needsInsecureRequests(url: string | undefined): boolean {
  return url !== undefined && url.startsWith('http:')
}

/**
 * The metadata of `issuer`, fetched once per process: concurrent and later callers share one
 * discovery. A failed discovery is forgotten at once, so the next acquisition tries again (the
 * manager's retry policy decides when). The discovery request is bound to no caller's signal: one
 * caller giving up must not fail the others.
 */
function discover(issuer: URL, algorithm: 'oidc' | 'oauth2', timeoutMs: number, unref: boolean): Promise<ServerMetadata> {
  const key = `${algorithm} ${issuer.href}`
  let pending = discovered.get(key)
  if (pending === undefined) {
    pending = runDiscovery(issuer, algorithm, timeoutMs, unref)
    discovered.set(key, pending)
    const settled = pending
    settled.catch(() => {
      if (discovered.get(key) === settled) discovered.delete(key)
    })
  }
  return pending
}

async function runDiscovery(
  issuer: URL,
  algorithm: 'oidc' | 'oauth2',
  timeoutMs: number,
  unref: boolean,
): Promise<ServerMetadata> {
  const exchange = new HttpExchange(undefined, timeoutMs, unref)
  const context = { what: 'discovery document', timeoutMs, secrets: [] }
  let metadata: ServerMetadata
  try {
    const config = await discovery(issuer, DISCOVERY_CLIENT_ID, undefined, None(), {
      algorithm,
      execute: needsInsecureRequests(issuer.href) ? [allowInsecureRequests] : [],
      [customFetch]: exchange.fetch,
    })
    metadata = Object.freeze({ ...config.serverMetadata() })
  } catch (error) {
    throw endpointFailure(error, exchange, context)
  }
  const endpoint = metadata.token_endpoint
  if (typeof endpoint !== 'string' || !URL.canParse(endpoint) || !/^https?:/.test(endpoint)) {
    throw malformedAnswer(`the discovery document of ${issuer.origin} names no usable token endpoint`, exchange, context)
  }
  secureUrl(endpoint, 'token_endpoint (discovered)')
  return metadata
}

/**
 * Parses a URL option. Rules: `https:` always; `http:` only to loopback hosts (`localhost`,
 * `127.0.0.0/8`, `[::1]`), else `TOKEN_INSECURE_TRANSPORT`; any other scheme is a bad option.
 */
function secureUrl(value: string | URL, option: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw invalidOption(option, 'an absolute https URL')
  }
  if (url.protocol === 'https:') return url
  if (url.protocol !== 'http:') throw invalidOption(option, 'an absolute https URL')
  if (isLoopbackHost(url.hostname)) return url
  throw new TokenPolicyError(
    ErrorCode.INSECURE_TRANSPORT,
    `"${option}" is a plain-http URL to a host that is not loopback; client credentials and tokens go over https only`,
    { transient: false },
  )
}
