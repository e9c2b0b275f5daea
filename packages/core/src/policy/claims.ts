const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/**
 * Decodes the `claims` parameter of a claims challenge (`Bearer error="insufficient_claims",
 * claims="eyJ…"`, Microsoft Entra CAE and Conditional Access) to the JSON text a token request sends
 * as its `claims`. Rules:
 * - base64 and base64url are both accepted (Entra sends base64, other servers base64url), padding
 *   optional, whitespace around the value ignored;
 * - the bytes must be UTF-8 and the text a JSON object; it is returned as sent, not re-serialised;
 * - anything else answers `undefined`, never throws: the 401 then goes to the caller as it is.
 *
 * Runtime-neutral (`atob` and `TextDecoder`, no `Buffer`).
 *
 * @example
 * ```ts
 * decodeClaimsChallenge('eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYwNDEwNjY1MSJ9fX0=')
 * // → '{"access_token":{"nbf":{"essential":true, "value":"1604106651"}}}'
 * decodeClaimsChallenge('not base64!') // → undefined
 * ```
 */
export function decodeClaimsChallenge(value: string): string | undefined {
  const base64 = value.trim().replaceAll('-', '+').replaceAll('_', '/')
  if (!BASE64.test(base64)) return undefined
  const unpadded = base64.replace(/=+$/, '')
  if (unpadded.length % 4 === 1) return undefined
  const bytes = Uint8Array.from(atob(unpadded.padEnd(Math.ceil(unpadded.length / 4) * 4, '=')), (char) => char.charCodeAt(0))
  let text: string
  let json: unknown
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    json = JSON.parse(text)
  } catch {
    return undefined
  }
  return typeof json === 'object' && json !== null && !Array.isArray(json) ? text : undefined
}
