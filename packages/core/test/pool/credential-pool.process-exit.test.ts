import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

describe('a process using credential pools', () => {
  it("exits by itself: an idle pool's timer does not hold it, and close() ends the waits on dropped managers", async () => {
    const script = fileURLToPath(new URL('../fixtures/pools.ts', import.meta.url))
    const result = await new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>(
      (resolve) => {
        const child = execFile(process.execPath, [script], { timeout: 15_000 }, (_error, stdout, stderr) =>
          resolve({ code: child.exitCode, signal: child.signalCode, stdout, stderr }),
        )
      },
    )
    expect(result.signal, result.stderr).toBeNull()
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('retiring 1')
    expect(result.stdout).toContain('waiter TOKEN_MANAGER_CLOSED')
    expect(result.stdout).toContain('idle pool holds 100')
  })
})
