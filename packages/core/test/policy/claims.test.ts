import { describe, expect, it } from 'vitest'
import { decodeClaimsChallenge } from '../../src/policy/claims.ts'

const GRAPH_CLAIMS = 'eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYwNDEwNjY1MSJ9fX0='
const GRAPH_JSON = '{"access_token":{"nbf":{"essential":true, "value":"1604106651"}}}'
/** `{"id_token":{"auth_time":{"essential":true}},"note":"é?>"}`: its base64 holds a `+`, and é is two UTF-8 bytes. */
const NOTE_JSON = '{"id_token":{"auth_time":{"essential":true}},"note":"é?>"}'
const NOTE_BASE64 = 'eyJpZF90b2tlbiI6eyJhdXRoX3RpbWUiOnsiZXNzZW50aWFsIjp0cnVlfX0sIm5vdGUiOiLDqT8+In0='
const NOTE_BASE64URL = 'eyJpZF90b2tlbiI6eyJhdXRoX3RpbWUiOnsiZXNzZW50aWFsIjp0cnVlfX0sIm5vdGUiOiLDqT8-In0'

describe('decodeClaimsChallenge', () => {
  it("decodes Microsoft Graph's CAE claims to the JSON text, as sent", () => {
    expect(decodeClaimsChallenge(GRAPH_CLAIMS)).toBe(GRAPH_JSON)
  })

  it('decodes base64 without its padding (Azure Resource Manager sends it so)', () => {
    const ipPolicy =
      'eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWUiOiIxNjEwNTYzMDA2In0sInhtc19ycF9pcGFkZHIiOnsidmFsdWUiOiIxLjIuMy40In19fQ'
    expect(decodeClaimsChallenge(ipPolicy)).toBe(
      '{"access_token":{"nbf":{"essential":true,"value":"1610563006"},"xms_rp_ipaddr":{"value":"1.2.3.4"}}}',
    )
    expect(decodeClaimsChallenge(GRAPH_CLAIMS.replace(/=+$/, ''))).toBe(GRAPH_JSON)
  })

  it('decodes base64url and base64 of the same claims to the same UTF-8 text', () => {
    expect(decodeClaimsChallenge(NOTE_BASE64)).toBe(NOTE_JSON)
    expect(decodeClaimsChallenge(NOTE_BASE64URL)).toBe(NOTE_JSON)
    expect(decodeClaimsChallenge(`${NOTE_BASE64URL}=`)).toBe(NOTE_JSON)
  })

  it('ignores whitespace around the value', () => {
    expect(decodeClaimsChallenge(` ${GRAPH_CLAIMS}\t`)).toBe(GRAPH_JSON)
  })

  it('answers undefined for garbage rather than throwing', () => {
    for (const garbage of ['', '   ', 'not base64!', 'eyJ', 'a', '====', 'eyJhIjoxfQ===', 'eyJh IjoxfQ']) {
      expect(decodeClaimsChallenge(garbage), garbage).toBeUndefined()
    }
  })

  it('answers undefined for base64 that is not JSON (the scrambled claims of an MSAL.NET comment)', () => {
    expect(decodeClaimsChallenge('eyhhY2Nlc3NfdG8rZW4iOnsibmJmIjpwfjIzNTQzMiJ9fX0=')).toBeUndefined()
  })

  it('answers undefined for JSON that is not an object, and for bytes that are not UTF-8', () => {
    expect(decodeClaimsChallenge(btoa('[1,2]'))).toBeUndefined()
    expect(decodeClaimsChallenge(btoa('"claims"'))).toBeUndefined()
    expect(decodeClaimsChallenge(btoa('null'))).toBeUndefined()
    expect(decodeClaimsChallenge(btoa('{"a":"\xff"}'))).toBeUndefined()
  })
})
