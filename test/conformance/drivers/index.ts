import type { ClientDriver } from './types.ts'

const loaders: Readonly<Record<ClientDriver['name'], () => Promise<ClientDriver>>> = {
  undici: async () => (await import('./undici.ts')).undiciDriver,
  fetch: async () => (await import('./fetch.ts')).fetchDriver,
  axios: async () => (await import('./axios.ts')).axiosDriver,
  got: async () => (await import('./got.ts')).gotDriver,
}
/** `CONFORMANCE_DRIVERS=undici,got` runs the suite against those adapters only (while working on one). */
const only = process.env.CONFORMANCE_DRIVERS?.split(',').filter((name) => name !== '')
const chosen = Object.keys(loaders).filter((name) => only === undefined || only.includes(name)) as ClientDriver['name'][]

/** Every adapter the conformance suite runs against; only the chosen adapters' packages are loaded. */
export const drivers: readonly ClientDriver[] = await Promise.all(chosen.map((name) => loaders[name]()))
