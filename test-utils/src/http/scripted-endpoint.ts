import type { IncomingMessage, ServerResponse } from 'node:http'
import { type LoopbackServer, listen, readBody } from './listen.ts'

/** A token endpoint whose answers a test scripts, counting what it receives. */
export interface ScriptedEndpoint extends LoopbackServer {
  /** `${origin}/token`. */
  readonly tokenEndpoint: string
  /** The form bodies received, in order. */
  readonly requests: URLSearchParams[]
  /** Requests received and not yet answered (or dropped). */
  readonly inFlight: number
  /** The most requests ever in flight at once. */
  readonly maxInFlight: number
}

/** How a {@link ScriptedEndpoint} answers request number `call` (from 1). */
export type Script = (call: number, res: ServerResponse, req: IncomingMessage) => void | Promise<void>

/** Starts a loopback token endpoint that answers each POST with `script`. */
export async function scriptedEndpoint(script: Script): Promise<ScriptedEndpoint> {
  const requests: URLSearchParams[] = []
  let inFlight = 0
  let maxInFlight = 0
  const server = await listen((req, res) => {
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    let done = false
    const settle = (): void => {
      if (!done) inFlight--
      done = true
    }
    res.on('finish', settle)
    res.on('close', settle)
    readBody(req)
      .then((body) => {
        requests.push(new URLSearchParams(body.toString('utf8')))
        return script(requests.length, res, req)
      })
      .catch(() => res.destroy())
  })
  return {
    ...server,
    tokenEndpoint: server.url('/token'),
    requests,
    get inFlight() {
      return inFlight
    },
    get maxInFlight() {
      return maxInFlight
    },
  }
}
