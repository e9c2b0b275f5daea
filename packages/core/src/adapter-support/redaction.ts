/** What follows the scheme in a redacted `Authorization` value. */
const MARK = '[redacted by tokenwarden]'

/** Tells whether an `Authorization` value carries one of the credential's tokens. */
export type IsOurs = (authorization: string) => boolean

/**
 * What our `Authorization` value reads as once redacted: its scheme, then
 * `[redacted by tokenwarden]` (`Bearer t0k3n` → `Bearer [redacted by tokenwarden]`).
 */
export function redactedAuthorization(authorization: string): string {
  const space = authorization.indexOf(' ')
  return `${space > 0 ? authorization.slice(0, space) : 'Bearer'} ${MARK}`
}

/**
 * Tells whether `value` is an `Authorization` value an adapter redacted: a request sent again from
 * an error's config or options carries it, and the adapter treats it as its own header (replaced
 * by a fresh token, or removed), never as the caller's.
 */
export function isRedactedAuthorization(value: unknown): boolean {
  if (typeof value !== 'string' || !value.endsWith(MARK)) return false
  const space = value.indexOf(' ')
  return space > 0 && space === value.length - MARK.length - 1
}

function isAuthorization(name: string): boolean {
  return name.length === 13 && name.toLowerCase() === 'authorization'
}

/** `value` redacted when it is ours (a string, or an array of them, as Node's headers allow); else itself. */
function redacted(value: unknown, ours: IsOurs): unknown {
  if (typeof value === 'string') return ours(value) ? redactedAuthorization(value) : value
  return Array.isArray(value) ? value.map((item: unknown) => redacted(item, ours)) : value
}

/**
 * Redacts, in place, every `Authorization` value of ours in a set of request headers: a record
 * with any case of the name (a plain object, axios's `AxiosHeaders`, got's headers) or a fetch
 * `Headers`. A caller's own value (`ours` is false for it) is left as it is.
 */
export function redactHeaders(headers: unknown, ours: IsOurs): void {
  if (typeof headers !== 'object' || headers === null) return
  if (typeof Headers === 'function' && headers instanceof Headers) {
    const value = headers.get('authorization')
    if (value !== null && ours(value)) headers.set('authorization', redactedAuthorization(value))
    return
  }
  const record = headers as Record<string, unknown>
  for (const name of Object.keys(record)) {
    if (!isAuthorization(name)) continue
    const value = record[name]
    const safe = redacted(value, ours)
    if (safe !== value) record[name] = safe
  }
}

/** Where a wrapping request keeps the options it gave Node: follow-redirects', got's. */
const TRANSPORT_OPTIONS = ['_options', '_requestOptions']
/** Where a request keeps the requests it wraps or is wrapped by: follow-redirects', got's, Node's. */
const INNER_REQUESTS = ['_currentRequest', '_redirectable', '_request']

/** The header text a Node `ClientRequest` sent, with our `Authorization` line redacted. */
function redactHeaderText(text: string, ours: IsOurs): string {
  return text
    .split('\r\n')
    .map((line) => {
      const colon = line.indexOf(':')
      if (colon !== 13 || !isAuthorization(line.slice(0, 13))) return line
      const value = line.slice(14).trim()
      return ours(value) ? `${line.slice(0, 13)}: ${redactedAuthorization(value)}` : line
    })
    .join('\r\n')
}

/**
 * Redacts, in place, our `Authorization` value in a request object an HTTP client hangs on its
 * errors, once that request was sent: a Node `ClientRequest` (the header text it wrote, `_header`,
 * and its table of outgoing headers), a request wrapping one, follow-redirects' or got's (the
 * options it gave Node, the `ClientRequest`), or a fetch `Request` (its `headers`). Anything else is
 * left as it is. Node never reads these again once the headers are written.
 */
export function redactRequest(request: unknown, ours: IsOurs): void {
  redactRequestIn(request, ours, new Set())
}

/** {@link redactRequest}, following wrapped requests once each (they point at one another). */
function redactRequestIn(request: unknown, ours: IsOurs, seen: Set<object>): void {
  if (typeof request !== 'object' || request === null || seen.has(request)) return
  seen.add(request)
  const fields = request as Record<string | symbol, unknown>
  if (typeof fields._header === 'string') fields._header = redactHeaderText(fields._header, ours)
  for (const symbol of Object.getOwnPropertySymbols(request)) {
    if (symbol.description !== 'kOutHeaders') continue
    const table = fields[symbol]
    if (typeof table !== 'object' || table === null) continue
    for (const entry of Object.values(table as Record<string, unknown>)) {
      if (Array.isArray(entry) && typeof entry[0] === 'string' && isAuthorization(entry[0])) entry[1] = redacted(entry[1], ours)
    }
  }
  for (const key of TRANSPORT_OPTIONS) redactHeaders((fields[key] as { headers?: unknown } | undefined)?.headers, ours)
  if (typeof Request === 'function' && request instanceof Request) redactHeaders(request.headers, ours)
  for (const key of INNER_REQUESTS) redactRequestIn(fields[key], ours, seen)
}

