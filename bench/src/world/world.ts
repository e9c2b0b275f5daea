import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Command, Counters, Knobs, WorldAddress, WorldMessage } from './protocol.ts'

type Reply = Extract<WorldMessage, { type: 'reply' }>
interface Pending {
  resolve(reply: Reply): void
  reject(error: Error): void
}
type CommandBody = Command extends infer C ? (C extends Command ? Omit<C, 'id'> : never) : never

/** The bench process's handle on the loopback world running in its child process. */
export class World {
  /** Where the world listens. */
  readonly address: WorldAddress
  readonly #child: ChildProcess
  readonly #pending = new Map<number, Pending>()
  #nextId = 0

  private constructor(child: ChildProcess, address: WorldAddress) {
    this.#child = child
    this.address = address
    child.on('message', (message: WorldMessage) => {
      if (message.type !== 'reply') return
      this.#pending.get(message.id)?.resolve(message)
      this.#pending.delete(message.id)
    })
    child.on('exit', (code) => {
      for (const pending of this.#pending.values()) pending.reject(new Error(`the world exited with code ${code}`))
      this.#pending.clear()
    })
  }

  /** Forks the world and resolves once it listens. */
  static async start(): Promise<World> {
    const child = fork(fileURLToPath(new URL('./world-process.ts', import.meta.url)), [], {
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    const address = await new Promise<WorldAddress>((resolve, reject) => {
      child.once('error', reject)
      child.once('exit', (code) => reject(new Error(`the world exited with code ${code} before it listened`)))
      child.once('message', (message: WorldMessage) => {
        if (message.type === 'ready') resolve(message.address)
      })
    })
    child.removeAllListeners('exit')
    return new World(child, address)
  }

  /** Sets some knobs; the others keep their values. */
  async configure(knobs: Partial<Knobs>): Promise<void> {
    await this.#call({ type: 'configure', knobs })
  }

  /** Makes every token issued so far answer 401. */
  async revokeAll(): Promise<void> {
    await this.#call({ type: 'revoke-all' })
  }

  /** What the world saw from `clientId` since the last {@link World.reset}. */
  async counters(clientId: string): Promise<Counters> {
    const reply = await this.#call({ type: 'counters', clientId })
    return reply.counters as Counters
  }

  /** Default knobs, counters at zero. Tokens already issued stay valid. */
  async reset(): Promise<void> {
    await this.#call({ type: 'reset' })
  }

  /** Stops the world. */
  close(): void {
    this.#child.disconnect()
  }

  #call(body: CommandBody): Promise<Reply> {
    const id = ++this.#nextId
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      this.#child.send({ ...body, id } as Command)
    })
  }
}
