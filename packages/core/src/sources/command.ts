import { type ExecFileException, execFile } from 'node:child_process'
import { ErrorCode, TokenError, type TokenErrorOptions, invalidOption } from '../errors.ts'
import type { TokenSource } from '../source.ts'
import { type GrantParser, checkGrantParser, parseGrantText } from './parse-grant.ts'
import { stderrExcerpt } from './stderr-excerpt.ts'

/** Options of {@link command}. */
export interface CommandOptions {
  /** The executable, looked up on `PATH` when it has no slash. Never run through a shell. */
  command: string
  /** Arguments, passed as they are: no shell ever sees them, so quotes, `$()`, `;` or `*` mean nothing. @default [] */
  args?: readonly string[] | undefined
  /**
   * How the command's standard output becomes a grant: `'text'` (the trimmed output is the access
   * token), `'json'` (a token-endpoint-like JSON object) or a function.
   * @default JSON when the output starts with `{`, text otherwise
   */
  parse?: GrantParser | undefined
  /** Milliseconds after which the command is killed and the acquisition fails as a timeout. @default 15_000 */
  timeoutMs?: number | undefined
  /** The working directory. @default the process's */
  cwd?: string | URL | undefined
  /** The command's whole environment (it replaces, not extends, the inherited one, as in `child_process`). @default process.env */
  env?: NodeJS.ProcessEnv | undefined
}

/** Named defaults of {@link command}. */
const defaults = {
  timeoutMs: 15_000,
  /** Standard output or error beyond this kills the command. */
  maxBufferInBytes: 1024 * 1024,
  /** The tail of standard error kept on a {@link CommandFailedError}. */
  stderrExcerptChars: 500,
} as const

/** Spawn errors no retry can fix: the executable is missing or cannot be run. */
const TERMINAL_SPAWN_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'ENOTDIR', 'ENOEXEC'])

/** The command ran and failed: it exited with a non-zero code, was killed, or printed too much. */
export class CommandFailedError extends TokenError {
  /** The exit code, `null` when the command was ended by a signal. */
  readonly exitCode: number | null
  /** The signal that ended the command, if one did. */
  readonly signal: string | null
  /**
   * The tail of the command's standard error (at most 500 characters), with named secrets
   * (`password=…`, `"client_secret": "…"`, `Authorization: Bearer …`), runs the command printed on
   * standard output and long token-like runs replaced by `[redacted]`.
   */
  readonly stderr: string

  constructor(
    message: string,
    options: TokenErrorOptions & { exitCode: number | null; signal: string | null; stderr: string },
  ) {
    super(ErrorCode.SOURCE_FAILED, message, options)
    this.exitCode = options.exitCode
    this.signal = options.signal
    this.stderr = options.stderr
  }
}

/**
 * A source that runs a CLI and reads the token from its standard output (`fly tokens create`,
 * `gcloud auth print-access-token`, `az account get-access-token -o json`). Rules:
 * - `execFile`, never a shell; standard input is closed at once, so a prompt fails instead of hanging;
 * - the command is killed (`SIGKILL`) after `timeoutMs` ({@link ErrorCode.SOURCE_TIMEOUT},
 *   transient) or when `ctx.signal` aborts (rejecting with the signal's reason);
 * - a non-zero exit gives a {@link CommandFailedError} ({@link ErrorCode.SOURCE_FAILED}) with the
 *   exit code and a redacted tail of standard error (see {@link CommandFailedError.stderr});
 *   standard output never appears in an error;
 * - a command that cannot be started (not found, not executable) gives
 *   {@link ErrorCode.SOURCE_UNAVAILABLE}, terminal;
 * - arguments never appear in an error either: they may hold secrets.
 *
 * @example
 * ```ts
 * const source = command({ command: 'fly', args: ['tokens', 'create', 'readonly'], timeoutMs: 10_000 })
 * const azure = command({ command: 'az', args: ['account', 'get-access-token', '-o', 'json'],
 *   parse: (text) => { const out = JSON.parse(text); return { accessToken: out.accessToken, expiresAt: out.expires_on * 1000 } } })
 * ```
 */
export function command(options: CommandOptions): TokenSource {
  const checked = checkOptions(options)
  return {
    kind: 'command',
    async acquire({ signal }) {
      signal.throwIfAborted()
      return parseGrantText(await run(checked, signal), checked.parse, 'command')
    },
  }
}

/** Runs the command and resolves with its standard output; see {@link command} for the rules. */
function run({ file, args, timeoutMs, cwd, env }: CheckedOptions, signal: AbortSignal): Promise<string> {
  const shown = JSON.stringify(file)
  const options = {
    encoding: 'utf8',
    maxBuffer: defaults.maxBufferInBytes,
    timeout: timeoutMs,
    // Also what `child.kill` sends on abort below: `execFile`'s own `signal` option would send SIGTERM.
    killSignal: 'SIGKILL',
    windowsHide: true,
    shell: false,
    ...(cwd === undefined ? {} : { cwd }),
    ...(env === undefined ? {} : { env }),
  } as const
  return new Promise((resolve, reject) => {
    let child: ReturnType<typeof execFile>
    const onAbort = (): void => {
      child.kill('SIGKILL')
      child.stdout?.destroy()
      child.stderr?.destroy()
      reject(signal.reason)
    }
    try {
      child = execFile(file, args, options, (error, stdout, stderr) => {
        signal.removeEventListener('abort', onAbort)
        if (error === null) resolve(stdout)
        else reject(failure(error, shown, timeoutMs, stdout, stderr))
      })
    } catch (error) {
      // `execFile` throws synchronously on invalid arguments, with a message that quotes them.
      const code = (error as { code?: unknown }).code
      reject(unavailable(`the command ${shown} could not be started (${String(code ?? 'invalid arguments')})`, false))
      return
    }
    child.stdin?.on('error', () => {})
    child.stdin?.end()
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

interface CheckedOptions {
  file: string
  args: string[]
  parse: GrantParser | undefined
  timeoutMs: number
  cwd: string | URL | undefined
  env: NodeJS.ProcessEnv | undefined
}

function checkOptions(options: CommandOptions): CheckedOptions {
  if (typeof options !== 'object' || options === null) throw invalidOption('options', 'an object')
  if (!isSpawnableString(options.command) || options.command.length === 0) {
    throw invalidOption('command', 'a non-empty string without NUL characters')
  }
  const args = options.args ?? []
  if (!Array.isArray(args)) throw invalidOption('args', 'an array of strings')
  args.forEach((arg: unknown, i) => {
    if (!isSpawnableString(arg)) throw invalidOption(`args[${i}]`, 'a string without NUL characters')
  })
  const timeoutMs = options.timeoutMs ?? defaults.timeoutMs
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > 2 ** 31 - 1) {
    throw invalidOption('timeoutMs', 'a positive number of milliseconds')
  }
  const { cwd, env } = options
  if (cwd !== undefined && !(cwd instanceof URL) && !isSpawnableString(cwd)) {
    throw invalidOption('cwd', 'a string or a file: URL')
  }
  if (env !== undefined) {
    if (typeof env !== 'object' || env === null) throw invalidOption('env', 'an object of environment variables')
    for (const [name, value] of Object.entries(env)) {
      if (value !== undefined && !isSpawnableString(value)) {
        throw invalidOption(`env.${name}`, 'a string without NUL characters')
      }
    }
  }
  return { file: options.command, args: [...args], parse: checkGrantParser(options.parse), timeoutMs: Math.ceil(timeoutMs), cwd, env }
}

function isSpawnableString(value: unknown): value is string {
  return typeof value === 'string' && !value.includes('\0')
}

/** Maps `execFile`'s error to ours. Its own error is never kept: its message and `cmd` quote the arguments and standard error. */
function failure(error: ExecFileException, shown: string, timeoutMs: number, stdout: string, stderr: string): TokenError {
  const { code, signal = null, killed } = error
  if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
    return new CommandFailedError(`the command ${shown} printed more than ${defaults.maxBufferInBytes} bytes`, {
      exitCode: null,
      signal,
      stderr: stderrExcerpt(stderr, stdout, defaults.stderrExcerptChars),
      transient: false,
    })
  }
  if (killed === true && (code === null || code === undefined)) {
    return new TokenError(ErrorCode.SOURCE_TIMEOUT, `the command ${shown} did not finish within ${timeoutMs} ms`, {
      transient: true,
    })
  }
  if (typeof code === 'string') {
    return unavailable(`the command ${shown} could not be started (${code})`, !TERMINAL_SPAWN_CODES.has(code))
  }
  const exitCode = typeof code === 'number' ? code : null
  const how = exitCode === null ? `was ended by ${signal ?? 'a signal'}` : `exited with code ${exitCode}`
  return new CommandFailedError(`the command ${shown} ${how}`, {
    exitCode,
    signal,
    stderr: stderrExcerpt(stderr, stdout, defaults.stderrExcerptChars),
  })
}

function unavailable(message: string, transient: boolean): TokenError {
  return new TokenError(ErrorCode.SOURCE_UNAVAILABLE, message, { transient })
}
