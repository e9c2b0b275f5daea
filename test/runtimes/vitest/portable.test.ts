import { inject, it } from 'vitest'
import { runtimeCases } from '../cases/index.ts'
import { runtimeName } from '../cases/runtime-name.ts'

// The portable suite as vitest tests: Node, Bun, Deno and Chromium run this file; workerd runs the
// same cases through a worker (../workerd).
const hosts = inject('runtimeHosts')
const expected = inject('expectedRuntime')

if (expected !== undefined) {
  it(`runs in ${expected}`, () => {
    if (runtimeName() !== expected) throw new Error(`expected to run in ${expected}, running in ${runtimeName()}`)
  })
}

for (const runtimeCase of runtimeCases) it(runtimeCase.name, () => runtimeCase.run(hosts))
