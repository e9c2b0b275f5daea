import type { Client } from '../contenders/contender.ts'
import type { Send } from '../measure/load.ts'

/** The body the revoke storm posts and expects echoed back, replayed intact on the retry. */
const ECHO_BODY = JSON.stringify({ payload: 'tokenwarden-bench', items: [1, 2, 3] })

/** `GET /data`, ok when answered 200. */
export function getData(client: Client): Send {
  return async () => (await client.send({ method: 'GET', path: '/data' })).status === 200
}

/** `POST /echo`, ok when answered 200 with the body sent. */
export function postEcho(client: Client): Send {
  return async () => {
    const reply = await client.send({ method: 'POST', path: '/echo', body: ECHO_BODY })
    return reply.status === 200 && reply.body === ECHO_BODY
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
