/** Blanks every secret a request carried out of a text; see {@link secretScrubber}. */
export type Scrub = (text: string) => string

const MIN_SCRUBBED_SECRET = 6

/**
 * Returns a function that replaces every secret of a usable length by `[redacted]`, as it is and in
 * the encodings a server may echo it in (percent-encoded, form-encoded, and the stricter encoding
 * of `client_secret_basic` credentials, RFC 6749 §2.3.1). Shorter values are left alone: blanking a
 * 3-character secret would blank ordinary words too.
 */
export function secretScrubber(secrets: readonly (string | undefined)[]): Scrub {
  const blanked = new Set<string>()
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SCRUBBED_SECRET) continue
    blanked
      .add(secret)
      .add(encodeURIComponent(secret))
      .add(new URLSearchParams({ s: secret }).toString().slice(2))
      .add(basicCredentialEncode(secret))
  }
  const ordered = [...blanked].sort((a, b) => b.length - a.length)
  return (text) => ordered.reduce((out, secret) => out.split(secret).join('[redacted]'), text)
}

/** Keeps printable ASCII only, capped at `max` characters, secrets blanked; `undefined` when nothing is left. */
export function safeText(value: unknown, max: number, scrub: Scrub): string | undefined {
  if (typeof value !== 'string') return undefined
  const clean = scrub(value).replace(/[^\x20-\x7e]/g, '').slice(0, max)
  return clean.length === 0 ? undefined : clean
}

/**
 * How `client_secret_basic` encodes the client identifier and secret before joining them (RFC 6749
 * §2.3.1 and Appendix B, as openid-client does it): form encoding that also escapes `-_.!~*'()`.
 */
export function basicCredentialEncode(value: string): string {
  return encodeURIComponent(value).replace(/[-_.!~*'()]|%20/g, (c) => (c === '%20' ? '+' : `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
}
