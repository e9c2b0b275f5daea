import { DEVICE_CODE, type Idp, fixture } from './idp.ts'

/** What a completed device authorization grant returned. */
export interface DeviceGrant {
  accessToken: string
  refreshToken: string
  idToken: string | undefined
}

const basic = `Basic ${Buffer.from(`${fixture.device.clientId}:${fixture.device.clientSecret}`).toString('base64')}`

async function post(url: string, body: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body),
  })
  const json = (await response.json()) as Record<string, unknown>
  if (!response.ok) throw new Error(`${url} answered ${response.status} ${String(json.error)}`)
  return json
}

/**
 * Runs a real device authorization grant (RFC 8628) against the fixture for `device-app`: the device
 * request, the end user's approval (done as oidc-provider's own confirmation screen would: a grant
 * for `user-1` is saved and the device code marked approved), and the token request.
 */
export async function obtainDeviceGrant(idp: Idp, scope = 'openid offline_access api:read api:write'): Promise<DeviceGrant> {
  const authorization = await post(`${idp.issuer}/device/auth`, { scope })
  const { provider } = idp

  const grant = new provider.Grant({ accountId: 'user-1', clientId: fixture.device.clientId })
  grant.addOIDCScope(scope)
  const grantId = await grant.save()
  const userCode = String(authorization.user_code).toUpperCase().replace(/\W/g, '')
  const code = await provider.DeviceCode.findByUserCode(userCode)
  if (code === undefined) throw new Error('the device code was not found by its user code')
  Object.assign(code, { accountId: 'user-1', grantId, scope, authTime: Math.floor(Date.now() / 1000) })
  await code.save()

  const tokens = await post(`${idp.issuer}/token`, { grant_type: DEVICE_CODE, device_code: String(authorization.device_code) })
  return {
    accessToken: String(tokens.access_token),
    refreshToken: String(tokens.refresh_token),
    idToken: typeof tokens.id_token === 'string' ? tokens.id_token : undefined,
  }
}
