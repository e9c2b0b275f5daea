import { fork } from 'node:child_process'

/**
 * Runs the module at `url` in a fresh Node process with `--expose-gc`, so that its heap and timers
 * hold nothing but its own work, and resolves with the one message it sends back.
 */
export function runIsolated<T>(url: URL, args: readonly string[]): Promise<T> {
  const child = fork(url, [...args], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    let result: { value: T } | undefined
    child.once('message', (message: T) => {
      result = { value: message }
    })
    child.once('error', reject)
    child.once('exit', (code) => {
      if (result !== undefined && code === 0) resolve(result.value)
      else reject(new Error(`${url.pathname} exited with code ${code}`))
    })
  })
}
