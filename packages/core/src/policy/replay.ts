/**
 * Whether a request body can be sent twice (for the retry after a 401). Rules:
 * - no body, strings, `Buffer`s and other byte views, `ArrayBuffer`s, `URLSearchParams`, `FormData`
 *   and `Blob`s are replayable: sending them again sends the same bytes. Form data is recognised by
 *   its tag too, since undici ships a `FormData` class of its own, unless it is a stream (the
 *   `form-data` package's objects carry the same tag but can be read once);
 * - streams (Node `Readable`, web `ReadableStream`, async iterables) are consumed by the first send:
 *   they are replayable only once buffered, which {@link bufferBody} does under a byte cap;
 * - anything else is treated as not replayable: a retry must never send an empty or partial body.
 */
export function isReplayableBody(body: unknown): boolean {
  if (body === undefined || body === null) return true
  if (typeof body === 'string') return true
  if (ArrayBuffer.isView(body) || body instanceof ArrayBuffer) return true
  if (body instanceof URLSearchParams || body instanceof FormData || body instanceof Blob) return true
  return Object.prototype.toString.call(body) === '[object FormData]' && !isStreamLike(body)
}

/**
 * Whether `body` is a stream a send consumes: anything async-iterable (a Node `Readable`, a web
 * `ReadableStream`), or a web `ReadableStream` of a runtime where it is not (Safari); read it with
 * {@link bufferBody}, which takes both.
 */
export function isStreamBody(body: unknown): body is AsyncIterable<Uint8Array | string> {
  const stream = body as { [Symbol.asyncIterator]?: unknown; getReader?: unknown } | null | undefined
  return typeof stream?.[Symbol.asyncIterator] === 'function' || (typeof stream?.getReader === 'function' && typeof ReadableStream === 'function' && stream instanceof ReadableStream)
}

/** An iterator over a stream's chunks: its own, or one over a `ReadableStream`'s reader. */
function iteratorOf(stream: AsyncIterable<Uint8Array | string>): AsyncIterator<Uint8Array | string> {
  if (typeof stream[Symbol.asyncIterator] === 'function') return stream[Symbol.asyncIterator]()
  const reader = (stream as unknown as ReadableStream<Uint8Array | string>).getReader()
  return {
    next: () => reader.read() as Promise<IteratorResult<Uint8Array | string>>,
    return: async (value?: unknown) => {
      await reader.cancel(value)
      return { done: true, value: undefined }
    },
  }
}

function isStreamLike(body: object): boolean {
  return typeof (body as { pipe?: unknown }).pipe === 'function' || Symbol.asyncIterator in body
}

/** What {@link bufferBody} made of a stream. */
export type BufferedBody =
  | { readonly buffered: true; readonly body: Uint8Array }
  | { readonly buffered: false; readonly body: AsyncIterable<Uint8Array> }

const encoder = new TextEncoder()

/**
 * Reads a streamed body into memory when it fits in `maxBytes`, so it can be replayed. When it does
 * not fit, returns a stream that yields what was read followed by the rest, so the first send is
 * still complete (only the retry is given up).
 */
export async function bufferBody(stream: AsyncIterable<Uint8Array | string>, maxBytes: number): Promise<BufferedBody> {
  const chunks: Uint8Array[] = []
  let size = 0
  const iterator = iteratorOf(stream)
  for (;;) {
    const next = await iterator.next()
    if (next.done === true) return { buffered: true, body: concat(chunks, size) }
    const chunk = bytesOf(next.value)
    chunks.push(chunk)
    size += chunk.byteLength
    if (size > maxBytes) return { buffered: false, body: concatStreams(chunks, iterator) }
  }
}

function bytesOf(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? encoder.encode(chunk) : chunk
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const whole = new Uint8Array(size)
  let at = 0
  for (const chunk of chunks) {
    whole.set(chunk, at)
    at += chunk.byteLength
  }
  return whole
}

async function* concatStreams(
  head: readonly Uint8Array[],
  rest: AsyncIterator<Uint8Array | string>,
): AsyncGenerator<Uint8Array> {
  yield* head
  for (;;) {
    const next = await rest.next()
    if (next.done === true) return
    yield bytesOf(next.value)
  }
}
