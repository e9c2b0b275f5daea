import { API_AUDIENCE, type EmbeddedIdp } from '../../demo/src/embedded/index.ts'

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code'

async function post(url: string, body: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: 'POST', body: new URLSearchParams(body) })
  const json = (await response.json()) as Record<string, unknown>
  if (!response.ok) throw new Error(`${url} answered ${response.status} ${String(json.error)}`)
  return json
}

/**
 * Signs a user in on the embedded IdP with the device flow (RFC 8628), as a CLI does, and returns
 * the refresh token it got. The user's approval in a browser is played by writing the grant
 * straight into oidc-provider, as its confirmation page would.
 */
export async function deviceLogin(idp: EmbeddedIdp, scope = 'offline_access api:read'): Promise<string> {
  const { clientId } = idp.cli
  const started = await post(`${idp.issuer}/device/auth`, { client_id: clientId, scope })

  const { provider } = idp
  const grant = new provider.Grant({ accountId: 'alice', clientId })
  grant.addOIDCScope(scope)
  grant.addResourceScope(API_AUDIENCE, scope)
  const grantId = await grant.save()
  const code = await provider.DeviceCode.findByUserCode(String(started.user_code).replace(/\W/g, ''))
  if (code === undefined) throw new Error('the embedded IdP lost the device code')
  const authTime = Math.floor(Date.now() / 1000)
  Object.assign(code, { accountId: 'alice', grantId, scope, resource: API_AUDIENCE, authTime })
  await code.save()

  const tokens = await post(`${idp.issuer}/token`, {
    grant_type: DEVICE_CODE,
    client_id: clientId,
    device_code: String(started.device_code),
  })
  return String(tokens.refresh_token)
}
