import { type Scrub, safeText } from './safe-text.ts'

const MAX_MESSAGE = 200
const MAX_ERROR_CODE = 64
const MAX_DEPTH = 4
const MAX_FRAMES = 10
const NAME = /^[A-Za-z_$][\w$]{0,63}$/
const CODE = /^[\w.:-]{1,64}$/
const FRAME = /^ {4}at [\x20-\x7e]{1,300}$/
/** A run of 32 token characters or more: how an access token, a JWT segment or an API key looks in text. */
const LONG_RUN = /[A-Za-z0-9\-._~+]{32,}/g
/** A parser's message quotes the text it failed on (V8: `Unexpected token 'a', "access_tok"... is not valid JSON`). */
const PARSER_MESSAGE = 'message omitted: a parser error quotes the text it failed on'

/** What {@link EndpointCause} is built from; every field is already safe. */
interface EndpointCauseInit {
  name: string
  message: string
  code: string | undefined
  status: number | undefined
  error: string | undefined
  cause: EndpointCause | undefined
  frames: readonly string[]
}

/**
 * What a `TokenEndpointError` keeps, as its `cause`, of each error underneath it (openid-client's,
 * fetch's, the socket's): the name, a scrubbed message, the `code` (`OAUTH_RESPONSE_BODY_ERROR`,
 * `ECONNREFUSED`, …), the HTTP `status` and the OAuth `error` code when the error had them, the
 * stack frames, and the next error of the chain in the same form.
 *
 * It never holds an answer's body, a `Response`, headers, or a value the request carried (client
 * secret, assertion, refresh or subject token): those stay out of every property, own or inherited,
 * enumerable or not, so `util.inspect` with `showHidden` and `JSON.stringify` show nothing secret.
 */
export class EndpointCause extends Error {
  /** The original error's `code`, when it was a short identifier. */
  readonly code: string | undefined
  /** The HTTP status the original error carried. */
  readonly status: number | undefined
  /** The OAuth `error` code the original error carried. */
  readonly error: string | undefined
  declare readonly cause: EndpointCause | undefined

  constructor(init: EndpointCauseInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause })
    Object.defineProperty(this, 'name', { value: init.name, configurable: true, writable: true })
    Object.defineProperty(this, 'stack', {
      value: [`${init.name}: ${init.message}`, ...init.frames].join('\n'),
      configurable: true,
      writable: true,
    })
    this.code = init.code
    this.status = init.status
    this.error = init.error
  }
}

/**
 * The safe copy of `cause` and of the errors it wraps (see {@link EndpointCause}). Simple rules:
 * - only `Error` instances are copied; anything else in the chain (a parsed body, a `Response`, a
 *   list of challenges) ends the chain there;
 * - from each error: a name that is an identifier, a `code` that is one, an integer HTTP `status`,
 *   the OAuth `error` (printable, secrets blanked), and the stack frames (`    at …` lines);
 * - the message has the request's secrets blanked, then every run of 32 token characters or more
 *   that holds a digit blanked too (defence in depth: the messages of openid-client are fixed texts
 *   naming properties, never values); a `SyntaxError`'s message is dropped, since JSON parsers quote
 *   the start of the text they failed on, which may be a token;
 * - at most four errors deep: the rest is dropped.
 */
export function endpointCause(cause: unknown, scrub: Scrub, depth = 0): EndpointCause | undefined {
  if (!(cause instanceof Error) || depth >= MAX_DEPTH) return undefined
  const fields = cause as Error & { code?: unknown; status?: unknown; error?: unknown }
  const name = typeof cause.name === 'string' && NAME.test(cause.name) ? cause.name : 'Error'
  const parser = cause instanceof SyntaxError || name === 'SyntaxError'
  const message = parser ? PARSER_MESSAGE : (safeText(cause.message, MAX_MESSAGE, (text) => redactLongRuns(scrub(text))) ?? '')
  const status = fields.status
  return new EndpointCause({
    name,
    message,
    code: typeof fields.code === 'string' && CODE.test(fields.code) ? fields.code : undefined,
    status: typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599 ? status : undefined,
    error: safeText(fields.error, MAX_ERROR_CODE, (text) => redactLongRuns(scrub(text))),
    cause: endpointCause(cause.cause, scrub, depth + 1),
    frames: stackFrames(cause.stack, scrub),
  })
}

function redactLongRuns(text: string): string {
  return text.replace(LONG_RUN, (run) => (/\d/.test(run) ? '[redacted]' : run))
}

/** The `    at …` lines of a stack, without its first lines (which repeat the raw message). */
function stackFrames(stack: unknown, scrub: Scrub): string[] {
  if (typeof stack !== 'string') return []
  return stack
    .split('\n')
    .filter((line) => FRAME.test(line))
    .slice(0, MAX_FRAMES)
    .map((line) => redactLongRuns(scrub(line)))
}
