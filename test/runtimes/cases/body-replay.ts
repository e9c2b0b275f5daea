import { withAuth } from '@tokenwarden/fetch'
import type { ResourceRecord } from '../host/world-log.ts'
import { checkEqual, checkThat } from './check.ts'
import type { RuntimeCase } from './runtime-case.ts'
import { openWorld, withManager } from './world.ts'

const TEXT = 'grüße, ünïcödé & bytes'

/** Each kind of body fetch takes, with the body text the server must receive for it. */
const BODIES: readonly { kind: string; make: () => BodyInit; sent: (body: string, contentType: string | null) => boolean }[] = [
  { kind: 'string', make: () => TEXT, sent: (body) => body === TEXT },
  { kind: 'Uint8Array', make: () => new TextEncoder().encode(TEXT), sent: (body) => body === TEXT },
  { kind: 'ArrayBuffer', make: () => new TextEncoder().encode(TEXT).buffer as ArrayBuffer, sent: (body) => body === TEXT },
  // Bun sends a Blob's type with `;charset=utf-8` added: the media type is what must arrive.
  { kind: 'Blob', make: () => new Blob([TEXT], { type: 'text/plain' }), sent: (body, type) => body === TEXT && type?.split(';')[0] === 'text/plain' },
  {
    kind: 'URLSearchParams',
    make: () => new URLSearchParams({ text: TEXT }),
    sent: (body, type) => new URLSearchParams(body).get('text') === TEXT && type?.startsWith('application/x-www-form-urlencoded') === true,
  },
  {
    kind: 'FormData',
    make: () => {
      const form = new FormData()
      form.set('text', TEXT)
      return form
    },
    sent: (body, type) => body.includes(`name="text"\r\n\r\n${TEXT}\r\n`) && type?.startsWith('multipart/form-data; boundary=') === true,
  },
  {
    kind: 'ReadableStream buffered under maxReplayBytes',
    make: () => {
      const chunks = [TEXT.slice(0, 5), TEXT.slice(5)].map((part) => new TextEncoder().encode(part))
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          const chunk = chunks.shift()
          if (chunk === undefined) controller.close()
          else controller.enqueue(chunk)
        },
      })
    },
    sent: (body) => body === TEXT,
  },
]

/** A body is sent again, whole, with the retry after a 401. */
export const bodyReplayCases: readonly RuntimeCase[] = BODIES.map(({ kind, make, sent }) => ({
  name: `resends a ${kind} body whole with the retry after a 401`,
  run: async (hosts) => {
    const world = await openWorld(hosts)
    await withManager(world, async (manager) => {
      await manager.getToken()
      await world.revoke()
      const authFetch = withAuth(fetch, manager, { maxReplayBytes: 1024 })
      const response = await authFetch(world.url('a', '/api/upload'), { method: 'POST', body: make(), duplex: 'half' } as RequestInit)
      const echoed = (await response.json()) as ResourceRecord
      checkEqual(response.status, 200, 'status')
      const uploads = (await world.log()).requests.map((r) => [r.status, sent(r.body, r.contentType)])
      checkEqual(uploads, [[401, true], [200, true]], '[status, body as sent] of each upload')
      checkThat(sent(echoed.body, echoed.contentType), `the retried ${kind} body to arrive whole, got ${JSON.stringify(echoed.body)}`)
    })
  },
}))
