import { axiosClient } from './axios.ts'
import type { AdapterName, DemoClient } from './demo-client.ts'
import { fetchClient } from './fetch.ts'
import { gotClient } from './got.ts'
import { undiciClient } from './undici.ts'

export type { AdapterName, DemoClient } from './demo-client.ts'

/** Every adapter the story drives, each given the name of its own credential. */
export const adapters: ReadonlyArray<{ readonly name: AdapterName; create(credential: string): DemoClient }> = [
  { name: 'undici', create: undiciClient },
  { name: 'axios', create: axiosClient },
  { name: 'got', create: gotClient },
  { name: 'fetch', create: fetchClient },
]
