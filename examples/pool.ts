/**
 * A credential pool: one token per deployed app, each app with its own resolution chain — its
 * variable, else its config file, else a CLI that mints one (`fly tokens create`, `gcloud auth
 * print-access-token`) — kept in a durable store across restarts, with a manual override for an
 * app whose token an operator pasted. One fetch wrapper serves every app: a resolver picks the
 * app's credential for each request.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { FileStore, command, file } from '@tokenwarden/core/node'
import { chain, credentialPool, env, withAuth } from '@tokenwarden/fetch'
import { startLocalIdp } from './support/local-idp.ts'
import { printTokenScript } from './support/token-cli.ts'

const idp = await startLocalIdp() // an OpenID provider and an API on 127.0.0.1: use your own
const home = await mkdtemp(join(tmpdir(), 'tokenwarden-pool-')) // your config directory
const cli = { ...process.env, TOKEN_URL: `${idp.issuer}/token`, CLIENT_ID: idp.clientId, CLIENT_SECRET: idp.clientSecret }
/** The CLI run once by hand, as an operator would: its JSON answer (`access_token`, `expires_in`). */
async function mintByHand(): Promise<{ access_token: string; expires_in: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', printTokenScript], { env: cli })
  return JSON.parse(stdout) as { access_token: string; expires_in: number }
}

const apps = credentialPool({
  name: 'apps',
  max: 10_000, // least recently used apps beyond it are closed and dropped…
  idle: 900, // …and so is an app unused for 15 minutes
  template: (app) => ({
    origins: [idp.apiUrl],
    store: new FileStore({ path: join(home, 'tokens.json') }), // one file; each app has its own key in it
    source: chain([
      env(`${app.toUpperCase()}_API_TOKEN`), // set in CI (not here)
      file({ path: join(home, `${app}.json`), parse: 'json' }), // the app's config file
      command({ command: process.execPath, args: ['-e', printTokenScript], env: cli, parse: 'json', timeoutMs: 10_000 }),
    ]),
  }),
})
const appFetch = withAuth(fetch, (request) => {
  const app = request.headers['x-app']
  return app === undefined ? undefined : apps.get(app) // no app: sent untouched
})

try {
  await writeFile(join(home, 'reports.json'), JSON.stringify(await mintByHand())) // reports has a config file
  await apps.get('legacy').setToken({ accessToken: (await mintByHand()).access_token, expiresIn: 300 }) // pasted by an operator

  for (const app of ['billing', 'reports', 'legacy']) {
    const response = await appFetch(`${idp.apiUrl}/orders`, { headers: { 'x-app': app } })
    await response.body?.cancel()
    console.log(`${app}: GET /orders → ${response.status}, token from ${apps.get(app).peek()?.source}`)
  }
  const untouched = await appFetch(`${idp.apiUrl}/orders`)
  await untouched.body?.cancel()
  console.log(`no app: GET /orders → ${untouched.status} (sent without a token)`)
  console.log(`${apps.stats().size} apps in the pool`)
} finally {
  await apps.close()
  await idp.close()
  await rm(home, { recursive: true, force: true })
}
