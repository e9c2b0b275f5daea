import type { CustomFetch } from 'openid-client'
import { enqueue } from './endpoint-queue.ts'
import { unrefFetch } from './unref-fetch.ts'

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304])

/**
 * One request to an authorization server, as the OAuth sources send it, and a record of what came
 * back. Simple rules:
 * - the request waits for a slot in its origin's queue ({@link enqueue}) and is never sent when the
 *   caller's signal aborts first;
 * - once sent, it is aborted by the caller's signal or after `timeoutMs`, whichever comes first;
 *   openid-client's own timeout is not used (it would count the time spent in the queue);
 * - a request made for a manager (`ctx.mayUnref`) never keeps the process alive by itself;
 * - the whole body is read inside the slot and kept, so that failures are classified from the raw
 *   status, headers and body, whatever openid-client made of them.
 */
export class HttpExchange {
  /** The URL requested (origin and path). */
  url: string | undefined
  /** The status of the answer, when one came. */
  status: number | undefined
  /** The headers of the answer. */
  headers: Headers | undefined
  /** The body of the answer, as text. */
  body: string | undefined
  /** Set when the request failed before an answer came (network error). */
  failed = false
  /** Set when `timeoutMs` elapsed before the answer was read. */
  timedOut = false

  readonly #signal: AbortSignal | undefined
  readonly #timeoutMs: number
  readonly #unref: boolean

  /** `unref`: send through {@link unrefFetch}, whose socket never keeps the process alive. */
  constructor(signal: AbortSignal | undefined, timeoutMs: number, unref = false) {
    this.#signal = signal
    this.#timeoutMs = timeoutMs
    this.#unref = unref
  }

  /** The `customFetch` to give openid-client. */
  readonly fetch: CustomFetch = (url, init) => {
    const target = new URL(url)
    this.url = `${target.origin}${target.pathname}`
    return enqueue(target.origin, () => this.#send(url, init), this.#signal)
  }

  /** The body parsed as a JSON object, or `undefined`. */
  json(): Record<string, unknown> | undefined {
    if (this.body === undefined) return undefined
    try {
      const value: unknown = JSON.parse(this.body)
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
    } catch {
      return undefined
    }
  }

  async #send(url: string, init: Parameters<CustomFetch>[1]): Promise<Response> {
    const timeout = AbortSignal.timeout(this.#timeoutMs)
    const signal = this.#signal === undefined ? timeout : AbortSignal.any([this.#signal, timeout])
    try {
      const send = this.#unref ? unrefFetch : globalThis.fetch
      const response = await send(url, { ...init, signal } as RequestInit)
      const body = await response.text()
      this.status = response.status
      this.headers = response.headers
      this.body = body
      return new Response(NULL_BODY_STATUSES.has(response.status) ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      })
    } catch (error) {
      if (timeout.aborted && this.#signal?.aborted !== true) this.timedOut = true
      else this.failed = true
      throw error
    }
  }
}
