import type { Contender } from './contender.ts'

/** A contender that could not be loaded (an adapter not built yet), with the reason. */
export interface Missing {
  readonly id: string
  readonly reason: string
}

/** Every contender, tokenwarden's adapters first, then the peers, then the floor, then the hot path's control. */
const modules: ReadonlyArray<readonly [string, () => Promise<Contender>]> = [
  ['tokenwarden-undici', async () => (await import('./tokenwarden-undici.ts')).tokenwardenUndici],
  ['tokenwarden-axios', async () => (await import('./tokenwarden-axios.ts')).tokenwardenAxios],
  ['tokenwarden-got', async () => (await import('./tokenwarden-got.ts')).tokenwardenGot],
  ['tokenwarden-fetch', async () => (await import('./tokenwarden-fetch.ts')).tokenwardenFetch],
  ['axios-auth-refresh', async () => (await import('./axios-auth-refresh.ts')).axiosAuthRefresh],
  ['badgateway-oauth2', async () => (await import('./badgateway-oauth2.ts')).badgatewayOAuth2],
  ['azure-pipeline', async () => (await import('./azure-pipeline.ts')).azurePipeline],
  ['google-auth', async () => (await import('./google-auth.ts')).googleAuth],
  ['naive-fetch', async () => (await import('./naive-fetch.ts')).naiveFetch],
  ['control', async () => (await import('./control.ts')).control],
]

/**
 * Loads the contenders; one whose package cannot be imported (say, an adapter whose `dist/` is not
 * built) is reported as missing instead of stopping the run.
 */
export async function loadContenders(): Promise<{ contenders: Contender[]; missing: Missing[] }> {
  const contenders: Contender[] = []
  const missing: Missing[] = []
  for (const [id, load] of modules) {
    try {
      contenders.push(await load())
    } catch (error) {
      missing.push({ id, reason: error instanceof Error ? error.message.split('\n')[0] ?? error.name : String(error) })
    }
  }
  return { contenders, missing }
}

/** Whether `contender` is one of tokenwarden's own, whose figures are checked, not only reported. */
export function isTokenwarden(contender: Contender): boolean {
  return contender.id.startsWith('tokenwarden-')
}
