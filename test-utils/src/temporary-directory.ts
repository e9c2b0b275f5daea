import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'

/** A fresh directory under the OS's temporary directory, removed when the test finishes. */
export async function temporaryDirectory(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tokenwarden-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  return dir
}
