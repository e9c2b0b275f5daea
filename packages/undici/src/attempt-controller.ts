import type { Dispatcher } from 'undici'

type Controller = Dispatcher.DispatchController

/**
 * The one controller the downstream handler sees for a request, however many attempts it takes:
 * pause, resume and abort go to the controller of the attempt in flight. An abort also calls
 * {@link AttemptController.onAttemptsAborted}, so a request waiting between attempts ends at once.
 * The request's handler extends it, so that a request costs one object.
 */
export abstract class AttemptController implements Controller {
  #target: Controller | undefined
  #paused = false
  #reason: Error | null = null

  /** Called once, by the first `abort`. */
  protected abstract onAttemptsAborted(reason: Error): void

  /** Makes `controller`, the controller of the attempt now in flight, the one calls go to. */
  protected follow(controller: Controller): void {
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
    this.onAttemptsAborted(reason)
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
