import { ErrorCode, TokenPolicyError, invalidOption } from '../errors.ts'
import { isPublicSuffix } from './public-suffix.ts'

/**
 * Where a credential's token may go. Simple rules:
 * - a pattern is an origin (`https://api.example.com`, `http://127.0.0.1:8080`) or a wildcard
 *   origin (`https://*.example.com`: any subdomain, at any depth, never the bare domain);
 * - scheme, host and port must all match; default ports are implied (`https://a` is `https://a:443`);
 * - a pattern is only that: no credentials (`user:password@`), no path other than `/`, no query,
 *   no fragment; a wildcard never stands for a public suffix (`https://*.com`, `https://*.co.uk`,
 *   `https://*.github.io`) nor for an IP address; each is refused with a `TOKEN_INVALID_OPTION`
 *   `TypeError` naming the pattern (`origins[2]`);
 * - a token never travels over plain `http:` except to loopback (`localhost`, `127.0.0.0/8`, `[::1]`,
 *   exactly: not `*.localhost`), unless `dangerouslyAllowInsecureHttp` is set
 *   (`TOKEN_INSECURE_TRANSPORT` otherwise).
 */
export interface OriginPolicyOptions {
  /** Origin patterns, exact or `scheme://*.domain[:port]`. */
  origins: readonly string[]
  /** Lets the token travel over plain http to hosts that are not loopback. Only for closed test networks. */
  dangerouslyAllowInsecureHttp?: boolean | undefined
  /** The option name used in error messages. */
  optionName?: string
}

interface Wildcard {
  protocol: string
  suffix: string
  port: string
}

const MAX_CACHED_ORIGINS = 512

/** Whether the character `code` ends a URL's origin: `/`, `?` or `#`. */
function endsOrigin(code: number): boolean {
  return code === 47 || code === 63 || code === 35
}

/** The origin part of an absolute URL string (`https://a.example:8443/x?y` → `https://a.example:8443`), without allocating when it is one already. */
export function originOf(url: string): string {
  const hostStart = url.indexOf('://') + 3
  if (hostStart === 2) return url
  for (let i = hostStart; i < url.length; i++) {
    if (endsOrigin(url.charCodeAt(i))) return url.slice(0, i)
  }
  return url
}

/** A compiled, validated set of origin patterns; `allows` is cheap enough for every request. */
export class OriginPolicy {
  readonly #exact = new Set<string>()
  readonly #wildcards: Wildcard[] = []
  readonly #cache = new Map<string, boolean>()
  /** The origin of the last URL {@link OriginPolicy.allowsUrl} allowed. */
  #lastAllowed: string | undefined
  /** The patterns as given. */
  readonly patterns: readonly string[]

  constructor(options: OriginPolicyOptions) {
    const name = options.optionName ?? 'origins'
    if (!Array.isArray(options.origins)) throw invalidOption(name, 'an array of origins')
    const allowInsecure = options.dangerouslyAllowInsecureHttp === true
    options.origins.forEach((pattern, index) => this.#add(pattern, `${name}[${index}]`, allowInsecure))
    this.patterns = Object.freeze([...options.origins])
  }

  /** Whether no pattern was given: the token may go nowhere. */
  get empty(): boolean {
    return this.patterns.length === 0
  }

  /**
   * Whether a request to `origin` (an origin string such as `url.origin`, or a URL) may carry the
   * token. Plain-http patterns were refused at construction, so a match is always safe to send to.
   */
  allows(origin: string | URL): boolean {
    const key = typeof origin === 'string' ? origin : origin.origin
    const cached = this.#cache.get(key)
    if (cached !== undefined) return cached
    const allowed = this.#match(key)
    if (this.#cache.size >= MAX_CACHED_ORIGINS) this.#cache.clear()
    this.#cache.set(key, allowed)
    return allowed
  }

  /**
   * Whether a request to the absolute URL string `url` may carry the token:
   * {@link OriginPolicy.allows} of its origin. A URL that starts with the origin last allowed,
   * followed by a path, a query, a fragment or nothing, has exactly that origin: it is allowed
   * without slicing or hashing its origin (the per-request fast path).
   */
  allowsUrl(url: string): boolean {
    const last = this.#lastAllowed
    if (last !== undefined && url.startsWith(last) && (url.length === last.length || endsOrigin(url.charCodeAt(last.length)))) {
      return true
    }
    const origin = originOf(url)
    const allowed = this.allows(origin)
    if (allowed) this.#lastAllowed = origin
    return allowed
  }

  #match(key: string): boolean {
    let url: URL
    try {
      url = new URL(key)
    } catch {
      return false
    }
    return this.#exact.has(url.origin) || this.#wildcards.some((w) => matchesWildcard(w, url))
  }

  #add(pattern: unknown, option: string, allowInsecure: boolean): void {
    if (typeof pattern !== 'string') throw invalidOption(option, 'an origin string such as "https://api.example.com"')
    const match = /^(https?):\/\/(\*\.)?([^/?#*]+?)\/?$/i.exec(pattern)
    if (match === null) {
      throw invalidOption(option, 'an origin ("https://host[:port]") or a wildcard origin ("https://*.example.com"), without path, query or fragment')
    }
    const [, scheme, star, hostPort] = match as unknown as [string, string, string | undefined, string]
    if (hostPort.includes('@')) throw invalidOption(option, 'an origin without credentials ("user:password@")')
    if (/[\\\s\x00-\x1f\x7f%]/.test(hostPort)) throw invalidOption(option, 'an origin with a valid host')
    let url: URL
    try {
      url = new URL(`${scheme}://${hostPort}`)
    } catch {
      throw invalidOption(option, 'an origin with a valid host')
    }
    if (star !== undefined) checkWildcardBase(url.hostname, option)
    if (url.protocol === 'http:' && !allowInsecure && (star !== undefined || !isLoopbackHost(url.hostname))) {
      throw new TokenPolicyError(
        ErrorCode.INSECURE_TRANSPORT,
        `"${option}" is a plain-http origin that is not loopback; bearer tokens go over https only ` +
          '(set dangerouslyAllowInsecureHttp to override on a closed network)',
        { transient: false },
      )
    }
    if (star === undefined) this.#exact.add(url.origin)
    else this.#wildcards.push({ protocol: url.protocol, suffix: `.${url.hostname}`, port: url.port })
  }
}

/**
 * Refuses a wildcard that would let the token go to hosts of many owners. Simple rules:
 * - the part after `*.` must be a domain name, not an IP address;
 * - it must not be a public suffix (see {@link isPublicSuffix}): `*.com`, `*.co.uk`, `*.github.io`;
 * - `*.localhost` is the one single-label wildcard allowed: every name under `localhost` is this
 *   machine (RFC 6761), so no other owner can answer (plain http to it still needs the opt-in).
 */
function checkWildcardBase(hostname: string, option: string): void {
  if (hostname.startsWith('[') || /^[\d.]+$/.test(hostname) || /\.\d+$/.test(hostname)) {
    throw invalidOption(option, 'a wildcard over a domain name, not an IP address')
  }
  if (hostname !== 'localhost' && isPublicSuffix(hostname)) {
    throw invalidOption(option, 'a wildcard under a registrable domain ("https://*.example.com"), not a public suffix such as "*.com" or "*.co.uk"')
  }
}

function matchesWildcard(wildcard: Wildcard, url: URL): boolean {
  return (
    url.protocol === wildcard.protocol &&
    url.port === wildcard.port &&
    url.hostname.length > wildcard.suffix.length &&
    url.hostname.endsWith(wildcard.suffix)
  )
}

/**
 * Whether `hostname` (as `URL.hostname` gives it) is a loopback host. Simple rules: `localhost`
 * exactly (not `api.localhost`: a resolver may send those anywhere), an IPv4 address in
 * `127.0.0.0/8`, or the IPv6 address `::1` (bracketed or not). Nothing else.
 *
 * @example
 * ```ts
 * isLoopbackHost(new URL('http://127.0.0.2:8080').hostname) // true
 * isLoopbackHost('api.localhost')                           // false
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase()
  if (host === 'localhost' || host === '[::1]' || host === '::1') return true
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host)
  return octets !== null && octets.slice(1).every((octet) => Number(octet) <= 255)
}
