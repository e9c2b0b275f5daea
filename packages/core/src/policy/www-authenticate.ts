/** One challenge of a `WWW-Authenticate` header (RFC 7235 §4.1). */
export interface Challenge {
  /** The auth scheme as sent (`Bearer`, `DPoP`, `Basic`, …); compare it case-insensitively. */
  readonly scheme: string
  /** The auth-params, names lower-cased, quoted-string values unescaped. */
  readonly params: Readonly<Record<string, string>>
  /** The token68 form, when the challenge carries one instead of params. */
  readonly token68?: string | undefined
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/

/**
 * Parses `WWW-Authenticate` field values into challenges. Rules (RFC 7235, read leniently):
 * - one field may hold several challenges separated by commas, and a response may hold several fields;
 * - a challenge is a scheme followed by either a token68 or comma-separated `name=value` params;
 * - a value is a quoted string with backslash escapes, or unquoted; RFC 7235 says an unquoted value
 *   is a token, but servers send URLs there (Microsoft Graph's CAE challenge has
 *   `authorization_uri=https://login…/authorize`), so an unquoted value runs to the next comma,
 *   without its outer whitespace;
 * - after a comma, `name =` continues the params, while anything else (`Basic realm=…`, `Negotiate`)
 *   starts the next challenge;
 * - a missing comma is forgiven where `name=` follows whitespace (Azure Storage separates its params
 *   with a space), which also ends an unquoted value;
 * - a token68 is a whole challenge body: the end or a new challenge follows it, never a param;
 * - a malformed tail ends the parse, keeping the challenges read before it.
 *
 * @example
 * ```ts
 * parseWWWAuthenticate('Bearer realm="api", error="invalid_token", Basic realm="x"')
 * // → [{ scheme: 'Bearer', params: { realm: 'api', error: 'invalid_token' } }, { scheme: 'Basic', params: { realm: 'x' } }]
 * ```
 */
export function parseWWWAuthenticate(header: string | readonly string[] | null | undefined): Challenge[] {
  if (header === null || header === undefined) return []
  if (typeof header !== 'string') return header.flatMap((value) => parseWWWAuthenticate(value))
  return new ChallengeParser(header).parse()
}

class ChallengeParser {
  readonly #text: string
  #at = 0

  constructor(text: string) {
    this.#text = text
  }

  parse(): Challenge[] {
    const challenges: Challenge[] = []
    for (;;) {
      this.#skipSeparators()
      if (this.#at >= this.#text.length) return challenges
      const scheme = this.#token()
      if (scheme === '') return challenges
      const challenge = this.#challengeBody(scheme)
      if (challenge === undefined) return challenges
      challenges.push(challenge)
    }
  }

  #challengeBody(scheme: string): Challenge | undefined {
    const params: Record<string, string> = Object.create(null)
    const afterScheme = this.#at
    this.#skipSpaces()
    if (this.#at === afterScheme && this.#at < this.#text.length && this.#text[this.#at] !== ',') return undefined
    const token68 = this.#token68()
    if (token68 !== undefined) return { scheme, params, token68 }
    for (;;) {
      const mark = this.#at
      this.#skipSpaces()
      const name = this.#token()
      this.#skipSpaces()
      if (name === '' || this.#text[this.#at] !== '=') {
        this.#at = mark
        return { scheme, params }
      }
      this.#at++
      this.#skipSpaces()
      const value = this.#text[this.#at] === '"' ? this.#quoted() : this.#unquoted()
      if (value === undefined) return { scheme, params }
      params[name.toLowerCase()] = value
      if (!this.#nextParam()) return { scheme, params }
    }
  }

  /**
   * After a value: moves to the next param's name and answers true, or stays before the comma (or
   * the whitespace) that ends this challenge and answers false.
   */
  #nextParam(): boolean {
    const end = this.#at
    this.#skipSpaces()
    if (this.#text[this.#at] === ',') this.#skipSeparators()
    else if (this.#at === end) return false
    if (this.#isParamAhead()) return true
    this.#at = end
    return false
  }

  /** A token68: token68 chars and optional `=` padding, then the end or a comma that no param follows. */
  #token68(): string | undefined {
    let end = this.#at
    while (end < this.#text.length && TOKEN68_CHAR.test(this.#text[end] as string)) end++
    if (end === this.#at) return undefined
    while (this.#text[end] === '=') end++
    let next = end
    while (this.#text[next] === ' ' || this.#text[next] === '\t') next++
    if (next < this.#text.length && this.#text[next] !== ',') return undefined
    const start = this.#at
    this.#at = next
    this.#skipSeparators()
    const paramAhead = this.#at < this.#text.length && this.#isParamAhead()
    this.#at = paramAhead ? start : next
    return paramAhead ? undefined : this.#text.slice(start, end)
  }

  /** Whether `name =` starts at the cursor. */
  #isParamAhead(): boolean {
    let i = this.#at
    while (i < this.#text.length && TCHAR.test(this.#text[i] as string)) i++
    if (i === this.#at) return false
    while (this.#text[i] === ' ' || this.#text[i] === '\t') i++
    return this.#text[i] === '='
  }

  #token(): string {
    const start = this.#at
    while (this.#at < this.#text.length && TCHAR.test(this.#text[this.#at] as string)) this.#at++
    return this.#text.slice(start, this.#at)
  }

  /** An unquoted value: up to the next comma, or to whitespace that `name=` follows; outer whitespace dropped. */
  #unquoted(): string {
    const start = this.#at
    let end = start
    while (this.#at < this.#text.length && this.#text[this.#at] !== ',') {
      if (this.#text[this.#at] === ' ' || this.#text[this.#at] === '\t') {
        this.#skipSpaces()
        if (this.#isParamAhead()) break
      } else {
        end = ++this.#at
      }
    }
    this.#at = end
    return this.#text.slice(start, end)
  }

  #quoted(): string | undefined {
    let value = ''
    for (let i = this.#at + 1; i < this.#text.length; i++) {
      const char = this.#text[i] as string
      if (char === '"') {
        this.#at = i + 1
        return value
      }
      if (char === '\\' && i + 1 < this.#text.length) i++
      value += this.#text[i]
    }
    return undefined
  }

  #skipSpaces(): void {
    while (this.#text[this.#at] === ' ' || this.#text[this.#at] === '\t') this.#at++
  }

  #skipSeparators(): void {
    while (this.#text[this.#at] === ' ' || this.#text[this.#at] === '\t' || this.#text[this.#at] === ',') this.#at++
  }
}
