import type { Reporter, TestCase, TestModule } from 'vitest/node'

/** After this long without a finished test file, the reporter names what is still running. */
const QUIET_MS = 5_000

/**
 * When the output is not a terminal (CI, a pipe), vitest prints a line per test file as it ends
 * and nothing while a long file runs (the demo's runs take half a minute). This reporter fills
 * such a silence: after {@link QUIET_MS} without a finished file, one line with each file still
 * running, for how long, and its tests in progress. On a terminal vitest's own live summary does it.
 */
export default class ProgressReporter implements Reporter {
  readonly #modules = new Map<TestModule, number>()
  readonly #tests = new Set<TestCase>()
  #lastLineAt = 0
  #timer: NodeJS.Timeout | undefined

  onTestRunStart(): void {
    if (process.stdout.isTTY) return
    this.#lastLineAt = performance.now()
    this.#timer = setInterval(() => this.#fillSilence(), 1_000).unref()
  }

  onTestModuleStart(module: TestModule): void {
    this.#modules.set(module, performance.now())
  }

  onTestModuleEnd(module: TestModule): void {
    this.#modules.delete(module)
    this.#lastLineAt = performance.now()
  }

  onTestCaseReady(test: TestCase): void {
    this.#tests.add(test)
  }

  onTestCaseResult(test: TestCase): void {
    this.#tests.delete(test)
  }

  onTestRunEnd(): void {
    clearInterval(this.#timer)
    this.#modules.clear()
    this.#tests.clear()
  }

  #fillSilence(): void {
    const now = performance.now()
    if (now - this.#lastLineAt < QUIET_MS || this.#modules.size === 0) return
    this.#lastLineAt = now
    const running = [...this.#modules].map(([module, since]) => {
      const tests = new Set([...this.#tests].filter((test) => test.module === module).map((test) => test.name))
      const doing = tests.size === 0 ? '' : `: ${[...tests].join('; ')}`
      return `${module.relativeModuleId} (${Math.round((now - since) / 1000)} s${doing})`
    })
    process.stdout.write(` … still running ${running.join(', ')}\n`)
  }
}
