/** What the wrapper reads of a response: any fetch implementation's `Response` has it. */
export interface FetchResponse {
  readonly status: number
  /** `'opaqueredirect'` for a redirect a browser's fetch hides (`redirect: 'manual'`). */
  readonly type?: string
  /** The URL of the last hop, when fetch followed redirects itself. */
  readonly url?: string
  /** Whether fetch followed a redirect to get this response. */
  readonly redirected?: boolean
  readonly headers: { get(name: string): string | null }
  readonly body: { cancel(reason?: unknown): Promise<void> } | null
}

/** A fetch function: the global `fetch`, undici's `fetch`, or any other with the same shape. */
export type FetchLike = (input: never, init?: never) => Promise<FetchResponse>

/** The `init` the wrapper sends with: fetch's own, `duplex` and whatever else a fetch implementation takes. */
export type Init = RequestInit & { duplex?: 'half'; [option: string]: unknown }

/** The wrapped fetch, as the wrapper calls it. */
export type Send = (input: string, init: Init) => Promise<FetchResponse>
