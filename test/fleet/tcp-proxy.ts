import { type Socket, connect, createServer } from 'node:net'

/** A loopback TCP proxy to one port, which can hang as a stalled server or network does. */
export interface TcpProxy {
  readonly port: number
  /**
   * Stops forwarding, both ways, on every connection (new ones too): sockets stay open, bytes wait
   * in the proxy's buffers, and nobody hears a thing, as when the server behind it hangs.
   */
  hang(): void
  /** Forwards again, the bytes that waited first. */
  resume(): void
  /** Closes the listener and every connection. */
  close(): Promise<void>
}

/** Starts a {@link TcpProxy} on a free loopback port, forwarding to `127.0.0.1:targetPort`. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let hung = false
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1')
    const pipe = (from: Socket, to: Socket): void => {
      sockets.add(from)
      from.on('data', (chunk) => to.write(chunk))
      if (hung) from.pause()
      from.on('error', () => {})
      from.on('close', () => {
        sockets.delete(from)
        to.destroy()
      })
    }
    pipe(client, upstream)
    pipe(upstream, client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (typeof address !== 'object' || address === null) throw new Error('the proxy has no port')
  return {
    port: address.port,
    hang: () => {
      hung = true
      for (const socket of sockets) socket.pause()
    },
    resume: () => {
      hung = false
      for (const socket of sockets) socket.resume()
    },
    close: async () => {
      const closed = new Promise((resolve) => server.close(resolve))
      for (const socket of sockets) socket.destroy()
      await closed
    },
  }
}
