/**
 * Whether this looks like a browser (a page, or a Web Worker): the runtimes whose fetch hides a
 * redirect from `redirect: 'manual'` (an `opaqueredirect` response, status 0) and sends a stream
 * body only over HTTP/2, if at all. Node, Bun, Deno and workerd have neither `document` nor
 * `importScripts`.
 */
export function isBrowser(): boolean {
  const scope = globalThis as { document?: unknown; importScripts?: unknown }
  return typeof scope.document === 'object' || typeof scope.importScripts === 'function'
}

/** The fetch wrapper's defaults in a browser. */
export const browserDefaults: { readonly maxReplayBytesInBrowser: number } = Object.freeze({
  /**
   * `maxReplayBytes` in a browser when not given: a streamed body (a `ReadableStream`, a `Request`
   * input's body) is read into memory up to this size before it is sent, since a browser cannot
   * stream it over HTTP/1.1. 1 MiB.
   */
  maxReplayBytesInBrowser: 1024 * 1024,
})
