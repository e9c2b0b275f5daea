/**
 * The loopback world, run in a child process so that its CPU is not counted against the clients:
 * a token endpoint and a resource server on 127.0.0.1, keep-alive on, driven over IPC.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Command, WorldMessage } from './protocol.ts'
import { resourceServer } from './resource-server.ts'
import { tokenEndpoint } from './token-endpoint.ts'
import { WorldState } from './world-state.ts'

const KEEP_ALIVE_MS = 120_000

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server: Server = createServer({ keepAlive: true, keepAliveTimeout: KEEP_ALIVE_MS }, handler)
  server.headersTimeout = KEEP_ALIVE_MS + 1000
  server.requestTimeout = 0
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

function send(message: WorldMessage): void {
  process.send?.(message)
}

const state = new WorldState()
const tokenOrigin = await listen(tokenEndpoint(state))
const resourceOrigin = await listen(resourceServer(state))

process.on('message', (command: Command) => {
  switch (command.type) {
    case 'configure':
      state.knobs = { ...state.knobs, ...command.knobs }
      return send({ type: 'reply', id: command.id })
    case 'revoke-all':
      state.revokeAll()
      return send({ type: 'reply', id: command.id })
    case 'counters':
      return send({ type: 'reply', id: command.id, counters: { ...state.counters(command.clientId) } })
    case 'reset':
      state.reset()
      return send({ type: 'reply', id: command.id })
  }
})
process.on('disconnect', () => process.exit(0))
send({ type: 'ready', address: { tokenUrl: `${tokenOrigin}/token`, resourceOrigin } })
