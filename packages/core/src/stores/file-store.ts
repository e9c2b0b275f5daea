import { randomBytes } from 'node:crypto'
import { chmod, mkdir, open, readFile, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { warn } from '../runtime/warn.ts'
import { invalidOption } from '../errors.ts'
import type { TokenRecord } from '../token.ts'
import type { TokenStore } from './token-store.ts'

/** Options of a {@link FileStore}. */
export interface FileStoreOptions {
  /** The JSON file holding every key's token. Its directory is created (mode `0o700`) when missing. */
  path: string
  /** The file's permission bits. @default 0o600 (owner read and write only) */
  mode?: number | undefined
}

/** The file's shape. */
interface StoreFile {
  version: 1
  tokens: Record<string, TokenRecord>
}

const VERSION = 1
const noop = (): void => {}

/**
 * A {@link TokenStore} in one JSON file, `{ "version": 1, "tokens": { [key]: record } }`, so that a
 * token survives a restart and can be shared by the processes of one machine. Rules:
 * - every write is atomic: the whole file is written to a temporary file in the same directory
 *   (created with mode `0o600`), synced, then renamed over the target; a reader sees the old file
 *   or the new one, never a part;
 * - writes of one instance run one at a time, and each re-reads the file first (read-modify-write),
 *   so several instances or processes always leave valid JSON; between processes, the last writer
 *   wins for the whole file;
 * - a corrupt file (invalid JSON, wrong shape) counts as empty: `get` answers `undefined`, a
 *   `TOKENWARDEN_STORE_CORRUPT` process warning says so (never with the file's content), and the
 *   next write replaces it; a missing file is simply empty.
 *
 * The file holds secrets: keep it on a local disk the process's user alone can read.
 *
 * @example
 * ```ts
 * const store = new FileStore({ path: join(os.homedir(), '.config', 'my-cli', 'tokens.json') })
 * const manager = new TokenManager({ name: 'api', source, store })
 * ```
 */
export class FileStore implements TokenStore {
  /** The file's absolute path. */
  readonly path: string
  readonly #mode: number
  #queue: Promise<void> = Promise.resolve()

  constructor(options: FileStoreOptions) {
    if (typeof options !== 'object' || options === null) throw invalidOption('options', 'an object')
    if (typeof options.path !== 'string' || options.path.length === 0 || options.path.includes('\0')) {
      throw invalidOption('path', 'a non-empty file path')
    }
    const mode = options.mode ?? 0o600
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) throw invalidOption('mode', 'permission bits from 0 to 0o777')
    this.path = resolve(options.path)
    this.#mode = mode
  }

  /** The record under `key`; `undefined` when the file, the key or a readable record is missing. */
  async get(key: string): Promise<TokenRecord | undefined> {
    const tokens = await this.#read()
    return tokens.get(key)
  }

  /** Stores `record` under `key`; resolves once the file is replaced on disk. */
  set(key: string, record: TokenRecord): Promise<void> {
    const copy = structuredClone(record)
    return this.#update((tokens) => {
      tokens.set(key, copy)
      return true
    })
  }

  /** Removes the record under `key`; the file is left untouched when it holds no such key. */
  delete(key: string): Promise<void> {
    return this.#update((tokens) => tokens.delete(key))
  }

  /** Queues a read-modify-write; `change` returns whether anything changed. */
  #update(change: (tokens: Map<string, TokenRecord>) => boolean): Promise<void> {
    const run = this.#queue.then(async () => {
      const tokens = await this.#read()
      if (change(tokens)) await this.#write(tokens)
    })
    this.#queue = run.catch(noop)
    return run
  }

  async #read(): Promise<Map<string, TokenRecord>> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map()
      throw error
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return this.#corrupt('it is not valid JSON')
    }
    if (!isStoreFile(parsed)) return this.#corrupt(`it is not a version ${VERSION} token file`)
    return new Map(Object.entries(parsed.tokens))
  }

  #corrupt(why: string): Map<string, TokenRecord> {
    warn(`the token store file "${this.path}" is ignored because ${why}; the next write replaces it`, {
      code: 'TOKENWARDEN_STORE_CORRUPT',
    })
    return new Map()
  }

  async #write(tokens: Map<string, TokenRecord>): Promise<void> {
    const directory = dirname(this.path)
    await mkdir(directory, { recursive: true, mode: 0o700 })
    const content: StoreFile = { version: VERSION, tokens: Object.fromEntries(tokens) }
    const temporary = join(directory, `.${basename(this.path)}.${randomBytes(8).toString('hex')}.tmp`)
    try {
      const handle = await open(temporary, 'wx', this.#mode)
      try {
        await handle.writeFile(`${JSON.stringify(content, null, 2)}\n`, 'utf8')
        await handle.sync()
      } finally {
        await handle.close()
      }
      await chmod(temporary, this.#mode)
      await rename(temporary, this.path)
    } catch (error) {
      await unlink(temporary).catch(noop)
      throw error
    }
    await syncDirectory(directory)
  }
}

/** Makes a rename durable where the platform allows syncing a directory (not on Windows). */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r').catch(() => undefined)
  if (handle === undefined) return
  await handle.sync().catch(noop)
  await handle.close()
}

function isStoreFile(value: unknown): value is StoreFile {
  if (typeof value !== 'object' || value === null) return false
  const { version, tokens } = value as Partial<StoreFile>
  if (version !== VERSION || typeof tokens !== 'object' || tokens === null || Array.isArray(tokens)) return false
  return Object.values(tokens).every(isTokenRecord)
}

function isTokenRecord(value: unknown): value is TokenRecord {
  if (typeof value !== 'object' || value === null) return false
  const record = value as Partial<TokenRecord>
  return (
    typeof record.accessToken === 'string' &&
    typeof record.tokenType === 'string' &&
    typeof record.issuedAt === 'number' &&
    typeof record.source === 'string' &&
    Array.isArray(record.scope)
  )
}
