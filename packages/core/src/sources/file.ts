import { readFile } from 'node:fs/promises'
import { ErrorCode, TokenError, invalidOption } from '../errors.ts'
import type { TokenSource } from '../source.ts'
import { type GrantParser, checkGrantParser, parseGrantText } from './parse-grant.ts'

/** Options of {@link file}. */
export interface FileOptions {
  /** The file holding the token, read afresh at each acquisition. */
  path: string | URL
  /**
   * How the file's content becomes a grant: `'text'` (the trimmed content is the access token),
   * `'json'` (a token-endpoint-like JSON object) or a function.
   * @default JSON when the content starts with `{`, text otherwise
   */
  parse?: GrantParser | undefined
}

/** File errors no wait can fix; any other (a missing file above all) may heal when a sidecar writes it. */
const TERMINAL_FS_CODES = new Set(['EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG'])

/**
 * A source that reads a token from a file at each acquisition: a Kubernetes projected service
 * account token, a file a sidecar renews. Rules:
 * - a missing or empty file fails with {@link ErrorCode.SOURCE_UNAVAILABLE}, transient (the writer
 *   may not have run yet), so the manager retries with backoff;
 * - an unreadable path (permissions, a directory) fails the same way, but terminal;
 * - the read stops when `ctx.signal` aborts.
 *
 * @example
 * ```ts
 * const source = file({ path: '/var/run/secrets/tokens/api-token' })
 * const json = file({ path: './token.json', parse: 'json' })
 * ```
 */
export function file(options: FileOptions): TokenSource {
  if (typeof options !== 'object' || options === null) throw invalidOption('options', 'an object')
  const { path } = options
  if (!(path instanceof URL) && (typeof path !== 'string' || path.length === 0)) {
    throw invalidOption('path', 'a non-empty string or a file: URL')
  }
  const parse = checkGrantParser(options.parse)
  const shown = String(path)
  return {
    kind: 'file',
    async acquire({ signal }) {
      let text: string
      try {
        text = await readFile(path, { encoding: 'utf8', signal })
      } catch (error) {
        if (signal.aborted) throw signal.reason
        const code = (error as NodeJS.ErrnoException).code
        const missing = code === 'ENOENT'
        throw new TokenError(
          ErrorCode.SOURCE_UNAVAILABLE,
          missing ? `the token file "${shown}" does not exist` : `the token file "${shown}" cannot be read (${code ?? 'unknown error'})`,
          { cause: error, transient: !TERMINAL_FS_CODES.has(code ?? '') },
        )
      }
      if (text.trim().length === 0) {
        throw new TokenError(ErrorCode.SOURCE_UNAVAILABLE, `the token file "${shown}" is empty`, { transient: true })
      }
      return parseGrantText(text, parse, 'file')
    },
  }
}
