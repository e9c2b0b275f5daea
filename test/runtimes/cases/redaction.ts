import { TokenManager, clientCredentials, staticToken } from '@tokenwarden/core'
import { checkThat, rejectionOf } from './check.ts'
import type { RuntimeCase } from './runtime-case.ts'
import { openWorld } from './world.ts'

/** Every string a value shows when logged: `String`, JSON, and each field of it and of its cause chain. */
function shownForms(value: unknown): string[] {
  const forms = [String(value), JSON.stringify(value) ?? '']
  let current: unknown = value
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    for (const key of Object.getOwnPropertyNames(current)) {
      const field = (current as Record<string, unknown>)[key]
      forms.push(typeof field === 'string' ? field : (JSON.stringify(field) ?? ''))
    }
    current = (current as { cause?: unknown }).cause
  }
  return forms
}

/** Secrets never show in what a token, a manager or an error prints. */
export const redactionCases: readonly RuntimeCase[] = [
  {
    name: 'a token, its manager and their JSON never show the access token',
    run: async () => {
      const secret = 'SECRET-access-token-value'
      const manager = new TokenManager({ name: 'redaction', source: staticToken(secret), prefetch: 'lazy' })
      try {
        const token = await manager.getToken()
        checkThat(token.accessToken === secret && token.authorization === `Bearer ${secret}`, 'the token to hold its value behind getters')
        const leaks = [...shownForms(token), ...shownForms(manager), `${token}`, JSON.stringify({ token })].filter((form) => form.includes(secret))
        checkThat(leaks.length === 0, `no form to show the secret, got ${JSON.stringify(leaks)}`)
        checkThat(JSON.stringify(token).includes('[redacted]'), 'the JSON form to say the token is redacted')
      } finally {
        await manager.close()
      }
    },
  },
  {
    name: 'a refused token request shows no client secret in its error or cause chain',
    run: async (hosts) => {
      const world = await openWorld(hosts)
      const secret = 'wrong-SECRET-never-shown'
      const manager = new TokenManager({
        name: `redaction-${world.id}`,
        source: clientCredentials({ tokenEndpoint: world.tokenEndpoint, clientId: world.clientId, clientSecret: secret, clientAuth: 'client_secret_post' }),
        prefetch: 'lazy',
      })
      try {
        const error = await rejectionOf(manager.getToken(), 'getToken with a wrong secret')
        const leaks = shownForms(error).filter((form) => form.includes(secret) || form.includes(encodeURIComponent(secret)))
        checkThat(leaks.length === 0, `no form of the error to show the secret, got ${JSON.stringify(leaks)}`)
      } finally {
        await manager.close()
      }
    },
  },
]
