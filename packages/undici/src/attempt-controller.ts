import type { Dispatcher } from 'undici'

type Controller = Dispatcher.DispatchController

/**
 * The one controller the downstream handler sees for a request, however many attempts it takes:
 * pause, resume and abort go to the controller of the attempt in flight. An abort also calls
 * `onAbort`, so a request waiting between attempts ends at once.
 */
export class AttemptController implements Controller {
  #target: Controller | undefined
  #paused = false
  #reason: Error | null = null
  readonly #onAbort: (reason: Error) => void

  constructor(onAbort: (reason: Error) => void) {
    this.#onAbort = onAbort
  }

  /** The controller of the attempt in flight. */
  set target(controller: Controller) {
    this.#target = controller
    if (this.#paused) controller.pause()
  }

  get aborted(): boolean {
    return this.#reason !== null
  }

  get paused(): boolean {
    return this.#paused
  }

  get reason(): Error | null {
    return this.#reason
  }

  get rawHeaders(): Controller['rawHeaders'] {
    return this.#target?.rawHeaders
  }

  get rawTrailers(): Controller['rawTrailers'] {
    return this.#target?.rawTrailers
  }

  abort(reason: Error): void {
    if (this.#reason !== null) return
    this.#reason = reason
    this.#target?.abort(reason)
    this.#onAbort(reason)
  }

  pause(): void {
    this.#paused = true
    this.#target?.pause()
  }

  resume(): void {
    this.#paused = false
    this.#target?.resume()
  }
}
