import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

describe('a diagnostics subscriber that throws', () => {
  it('breaks no getToken, current, reacquire or failure: each answers as without it (Node reports the error as uncaught)', async () => {
    const script = fileURLToPath(new URL('../fixtures/throwing-subscriber.ts', import.meta.url))
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ['--conditions=@tokenwarden/source', script], { timeout: 15_000 }, (_error, out, err) => {
        resolve({ code: child.exitCode, stdout: out, stderr: err })
      })
    })
    expect(code, stderr).toBe(0)
    expect(JSON.parse(stdout)).toEqual({ first: 1, served: true, second: 2, failure: 'TOKEN_ACQUISITION_FAILED', uncaught: true })
  })
})
