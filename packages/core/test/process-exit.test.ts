import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

describe('an idle manager', () => {
  it('never keeps the process alive: a child with a scheduled refresh and a pending backoff exits by itself', async () => {
    const script = fileURLToPath(new URL('./fixtures/idle-manager.ts', import.meta.url))
    const result = await new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>(
      (resolve) => {
        const child = execFile(process.execPath, [script], { timeout: 15_000 }, (error, stdout, stderr) => {
          resolve({ code: child.exitCode, signal: child.signalCode, stdout, stderr })
          void error
        })
      },
    )
    expect(result.signal, result.stderr).toBeNull()
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('armed true')
    expect(result.stdout).toContain('backoff 60000')
  })
})
