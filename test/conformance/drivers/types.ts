import type { Readable } from 'node:stream'
import type { Credential, RequestAuthOptions } from '@tokenwarden/core'

/** A request body of each kind the conformance suite replays. */
export type TestBody =
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'buffer'; readonly value: Buffer }
  | { readonly kind: 'urlsearchparams'; readonly value: URLSearchParams }
  | { readonly kind: 'formdata'; readonly value: FormData }
  | { readonly kind: 'stream'; readonly value: () => Readable }

/** One request as the suite describes it, independent of the client. */
export interface TestRequest {
  readonly method?: string
  readonly url: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: TestBody
  readonly signal?: AbortSignal
  /**
   * The client's own timeout for the request, in ms, set the way its users set it: axios
   * `timeout`, got `timeout.request`, undici `headersTimeout`, fetch `AbortSignal.timeout()`.
   */
  readonly timeoutMs?: number
}

/** A response reduced to what the suite checks. */
export interface TestResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** A client with the adapter installed, as a user would set it up. */
export interface TestClient {
  request(request: TestRequest): Promise<TestResponse>
  close(): Promise<void>
}

/** How the client itself is set up, for a test that needs more than the client's defaults. */
export interface ClientOptions {
  /**
   * Caps the client's connections per origin, as its users cap them to send thousands of requests at
   * once: undici `new Agent({ connections })`; fetch the same Agent as `dispatcher` (wrapped in
   * `Dispatcher1Wrapper` for Node's bundled fetch); axios and got a keep-alive
   * `http.Agent({ keepAlive: true, maxSockets })`. By default each client keeps its own defaults (a
   * connection per concurrent request).
   */
  readonly connections?: number
}

/**
 * One adapter under test. `create` installs the adapter exactly as its README shows (for example
 * `new Agent().compose(authInterceptor(credential, options))`), following redirects the way the
 * client does by default.
 */
export interface ClientDriver {
  readonly name: 'undici' | 'fetch' | 'axios' | 'got'
  create(credential: Credential, options?: RequestAuthOptions, client?: ClientOptions): TestClient | Promise<TestClient>
}
