import { inject, it } from 'vitest'
import { runtimeCases } from '../cases/index.ts'

// The portable suite as vitest tests: Node, Bun, Deno and Chromium run this file; workerd runs the
// same cases through a worker (../workerd).
const hosts = inject('runtimeHosts')

for (const runtimeCase of runtimeCases) it(runtimeCase.name, () => runtimeCase.run(hosts))
