import { abortable } from '../abortable.ts'
import { ErrorCode, TokenError, type TokenErrorOptions, invalidOption, isTokenError } from '../errors.ts'
import { isTransientError } from '../retry-policy.ts'
import type { AcquireContext, TokenGrant, TokenSource } from '../source.ts'

/** Why one member of a {@link chain} failed. */
export interface ChainFailure {
  /** The member's kind. */
  readonly source: string
  /** What it threw. */
  readonly error: unknown
}

/**
 * Every source of a {@link chain} failed. `errors` says why each one did, in order; `cause` is the
 * last one's error; the error is transient when any member's error was.
 */
export class ChainExhaustedError extends TokenError {
  /** Each member's failure, in the chain's order. */
  readonly errors: ReadonlyArray<ChainFailure>

  constructor(message: string, options: TokenErrorOptions & { errors: readonly ChainFailure[] }) {
    super(ErrorCode.CHAIN_EXHAUSTED, message, options)
    this.errors = Object.freeze([...options.errors])
  }
}

/**
 * A source that asks each of `sources` in order and answers with the first grant it gets: "the
 * environment variable in CI, else the mounted file, else the CLI on a developer's machine". Rules:
 * - a member that throws, or answers without an access token, is skipped and the next one asked;
 * - the grant records which member answered (`grant.source`), so the manager's token shows that
 *   member's kind, not `chain` (for a nested chain, the innermost member that answered);
 * - when every member fails: a {@link ChainExhaustedError} ({@link ErrorCode.CHAIN_EXHAUSTED}),
 *   transient when any member's failure was;
 * - when `ctx.signal` aborts, the chain stops at once with the signal's reason.
 *
 * @throws a coded `TypeError` when `sources` is not a non-empty array of token sources.
 * @example
 * ```ts
 * const source = chain([env('API_TOKEN'), file({ path: '/var/run/secrets/api-token' }), command({ command: 'api-cli', args: ['token'] })])
 * ```
 */
export function chain(sources: readonly TokenSource[]): TokenSource {
  if (!Array.isArray(sources) || sources.length === 0) throw invalidOption('sources', 'a non-empty array of token sources')
  sources.forEach((source: unknown, i) => {
    const { kind, acquire } = (source ?? {}) as Partial<TokenSource>
    if (typeof kind !== 'string' || kind.length === 0 || typeof acquire !== 'function') {
      throw invalidOption(`sources[${i}]`, 'a token source (an object with a kind and an acquire method)')
    }
  })
  const members = [...sources]
  return {
    kind: 'chain',
    async acquire(ctx) {
      const failures: ChainFailure[] = []
      for (const member of members) {
        ctx.signal.throwIfAborted()
        try {
          return answered(await abortable(acquireFrom(member, ctx), ctx.signal), member.kind)
        } catch (error) {
          if (ctx.signal.aborted) throw ctx.signal.reason
          failures.push({ source: member.kind, error })
        }
      }
      throw new ChainExhaustedError(`every source of the chain failed (${failures.map(summary).join(', ')})`, {
        errors: failures,
        cause: failures.at(-1)?.error,
        transient: failures.some(({ error }) => isTransientError(error)),
      })
    },
  }
}

async function acquireFrom(member: TokenSource, ctx: AcquireContext): Promise<TokenGrant> {
  return member.acquire(ctx)
}

/**
 * Copies the grant's fields, adding which member answered. Fields are read one by one, not spread,
 * so a grant whose fields are getters (a `Token` handed back as a grant) keeps them.
 */
function answered(grant: TokenGrant, kind: string): TokenGrant {
  if (typeof grant !== 'object' || grant === null || typeof grant.accessToken !== 'string' || grant.accessToken === '') {
    throw new TokenError(ErrorCode.MALFORMED, `the ${kind} source answered without an access token`, { transient: false })
  }
  return {
    accessToken: grant.accessToken,
    tokenType: grant.tokenType,
    expiresIn: grant.expiresIn,
    expiresAt: grant.expiresAt,
    refreshIn: grant.refreshIn,
    refreshToken: grant.refreshToken,
    scope: grant.scope,
    idToken: grant.idToken,
    source: typeof grant.source === 'string' && grant.source !== '' ? grant.source : kind,
  }
}

/** A secret-free word on why a member failed: its code, or its class name. */
function summary({ source, error }: ChainFailure): string {
  const why = isTokenError(error) ? error.code : error instanceof Error ? error.name : typeof error
  return `${source}: ${why}`
}
