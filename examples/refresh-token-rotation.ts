/**
 * Refresh-token rotation with a FileStore: each refresh returns a new refresh token (the old one is
 * spent), and the manager persists it before it uses the new access token, so the next run of the
 * program, or another process sharing the file, goes on from it.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TokenManager, type TokenManagerOptions, refreshToken } from '@tokenwarden/core'
import { FileStore } from '@tokenwarden/core/node'
import { startLocalIdp } from './support/local-idp.ts'

const idp = await startLocalIdp() // an OpenID provider and an API on 127.0.0.1: use your own
const { clientId, refreshToken: fromSignIn } = await idp.signIn() // a device-flow sign-in, as a CLI does
const directory = await mkdtemp(join(tmpdir(), 'tokenwarden-example-'))

const store = new FileStore({ path: join(directory, 'tokens.json') }) // e.g. ~/.config/my-cli/tokens.json
const options: TokenManagerOptions = {
  name: 'orders',
  store,
  source: refreshToken({ issuer: idp.issuer, clientId, refreshToken: fromSignIn }),
  origins: [idp.apiUrl],
}

try {
  const cli = new TokenManager(options)
  const first = await cli.getToken() // spends the sign-in's refresh token, gets a new one
  const second = await cli.refresh() // and again
  await cli.close()
  const stored = await store.get('orders')
  const rotated = first.refreshToken !== fromSignIn && second.refreshToken !== first.refreshToken
  console.log('refresh token rotated at each refresh:', rotated)
  console.log('the latest refresh token is in the store:', stored?.refreshToken === second.refreshToken)

  const nextRun = new TokenManager(options) // the program starts again
  const restored = await nextRun.getToken()
  console.log('next run: token read back from the store, no IdP request:', restored.authorization === second.authorization)
  const renewed = await nextRun.refresh() // uses the stored refresh token, not the spent ones
  console.log('next run: renewed with the stored refresh token:', renewed.generation > restored.generation)
  await nextRun.close()
} finally {
  await rm(directory, { recursive: true, force: true })
  await idp.close()
}
