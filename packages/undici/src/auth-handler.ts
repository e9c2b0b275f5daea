import type { Duplex } from 'node:stream'
import { ErrorCode, TokenPolicyError } from '@tokenwarden/core'
import type { AuthRequest } from '@tokenwarden/core/adapter'
import type { Dispatcher } from 'undici'
import { AttemptController } from './attempt-controller.ts'
import { setAuthHeaders } from './headers.ts'

type Controller = Dispatcher.DispatchController
type Handler = Dispatcher.DispatchHandler & { onBodySent?(chunk: Buffer): void; onRequestSent?(): void }
type Headers = Parameters<NonNullable<Handler['onResponseStart']>>[2]

/** A dispatch function, as an interceptor receives it. */
export type Dispatch = Dispatcher['dispatch']

/**
 * One dispatch of a request that carries a token; core's {@link AuthRequest} decides everything.
 * Rules:
 * - downstream sees one `onRequestStart` and one response, whatever number of sends it takes;
 * - a response core answers with a retry is swallowed: its body is drained and nothing of it goes
 *   downstream; the request is then dispatched once more, on the next turn of the event loop
 *   (`setImmediate`), so the first socket goes back to the pool;
 * - failures (token acquisition, an abort or `headersTimeout` while waiting) reach downstream
 *   through `onResponseError`;
 * - it is itself the controller downstream is given ({@link AttemptController}): one object a request;
 * - a DPoP-bound request that an interceptor composed inside this one sends again (`redirect` or
 *   `retry` in the wrong compose order) would carry a stale proof: it fails with
 *   `TOKEN_DPOP_STALE_PROOF` instead.
 */
export class AuthHandler extends AttemptController implements Handler {
  readonly #request: AuthRequest
  readonly #dispatch: Dispatch
  readonly #handler: Handler
  #opts: Dispatcher.DispatchOptions
  /** Whether downstream was told `onRequestStart` already (a resend tells it nothing). */
  #resent = false
  /** Set while a response is being swallowed; called once its body is drained. */
  #drained: (() => void) | undefined
  #done = false
  /** Sends this handler dispatched, and sends that started: more starts than sends mean an inner interceptor resent. */
  #sends = 0
  #starts = 0

  constructor(request: AuthRequest, dispatch: Dispatch, opts: Dispatcher.DispatchOptions, handler: Handler) {
    super()
    this.#request = request
    this.#dispatch = dispatch
    this.#opts = opts
    this.#handler = handler
  }

  /** Sends the first attempt: synchronously when the token is cached, else once it (and a buffered body) is ready. */
  start(): boolean {
    const ready = this.#request.ready()
    if (ready === undefined) return this.#send()
    ready.then(() => this.#resend(), (error: unknown) => this.#fail(error))
    return true
  }

  onRequestStart(controller: Controller, context: unknown): void {
    this.follow(controller)
    if (++this.#starts > this.#sends && this.#request.dpop !== undefined) return controller.abort(staleProof())
    if (!this.#resent) this.#handler.onRequestStart?.(this, context)
  }

  onRequestUpgrade(_controller: Controller, statusCode: number, headers: Headers, socket: Duplex): void {
    this.#handler.onRequestUpgrade?.(this, statusCode, headers, socket)
  }

  onResponseStart(_controller: Controller, statusCode: number, headers: Headers, statusMessage?: string): void {
    const retry = this.#request.respond(statusCode, (name) => headers[name])
    if (retry === undefined) return this.#handler.onResponseStart?.(this, statusCode, headers, statusMessage)
    this.#resent = true
    const drained = new Promise<void>((resolve) => (this.#drained = resolve))
    Promise.all([retry, drained]).then(
      () => setImmediate(() => this.#resend()),
      (error: unknown) => this.#fail(error),
    )
  }

  onResponseData(_controller: Controller, chunk: Buffer): void {
    if (this.#drained === undefined) this.#handler.onResponseData?.(this, chunk)
  }

  onResponseEnd(_controller: Controller, trailers: Headers): void {
    if (this.#drained !== undefined) return this.#drain()
    this.#done = true
    this.#handler.onResponseEnd?.(this, trailers)
  }

  onResponseError(_controller: Controller, error: Error): void {
    if (this.#drained !== undefined && !this.aborted) return this.#drain()
    this.#fail(error)
  }

  onResponseStarted(): void {
    this.#handler.onResponseStarted?.()
  }

  onBodySent(chunk: Buffer): void {
    this.#handler.onBodySent?.(chunk)
  }

  onRequestSent(): void {
    this.#handler.onRequestSent?.()
  }

  protected override onAttemptsAborted(reason: Error): void {
    this.#fail(reason)
  }

  #send(): boolean {
    const request = this.#request
    const opts = this.#opts
    const body = request.body === opts.body ? opts.body : (request.body as Dispatcher.DispatchOptions['body'])
    this.#sends++
    return this.#dispatch({ ...opts, body, headers: setAuthHeaders(opts.headers, request.authorization, request.dpop) }, this)
  }

  /** Sends from a callback: unless the request has already ended, and reporting a throw downstream. */
  #resend(): void {
    if (this.#done) return
    try {
      this.#send()
    } catch (error) {
      this.#fail(error)
    }
  }

  #drain(): void {
    const drained = this.#drained
    this.#drained = undefined
    drained?.()
  }

  #fail(error: unknown): void {
    if (this.#done) return
    this.#done = true
    this.#handler.onResponseError?.(this, error as Error)
  }
}

function staleProof(): TokenPolicyError {
  return new TokenPolicyError(
    ErrorCode.DPOP_STALE_PROOF,
    'a DPoP-bound request was sent again without a new proof: compose authInterceptor() before (inside) redirect and retry, e.g. compose(authInterceptor(name), interceptors.redirect())',
    { transient: false },
  )
}
