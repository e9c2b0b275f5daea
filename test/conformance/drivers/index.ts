import { axiosDriver } from './axios.ts'
import { fetchDriver } from './fetch.ts'
import { gotDriver } from './got.ts'
import type { ClientDriver } from './types.ts'
import { undiciDriver } from './undici.ts'

/** Every adapter the conformance suite runs against. */
export const drivers: readonly ClientDriver[] = [undiciDriver, fetchDriver, axiosDriver, gotDriver]
