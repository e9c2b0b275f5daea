import dns from 'node:dns'

type Lookup = typeof dns.lookup

/**
 * Makes `*.localhost` names resolve to 127.0.0.1 in this process, as systemd-resolved does (this
 * machine's resolver does not), so wildcard origins can be tested on loopback. Patches
 * `dns.lookup`, which `net.connect` reads at each connection; returns the function that restores it.
 */
export function resolveLoopbackNames(): () => void {
  const original = dns.lookup
  const lookup = function (hostname: string, options: unknown, callback?: unknown): void {
    const cb = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void
    const opts = (typeof options === 'object' && options !== null ? options : {}) as { all?: boolean }
    if (typeof hostname === 'string' && hostname.endsWith('.localhost')) {
      if (opts.all === true) process.nextTick(cb, null, [{ address: '127.0.0.1', family: 4 }])
      else process.nextTick(cb, null, '127.0.0.1', 4)
      return
    }
    ;(original as (...args: unknown[]) => void).call(dns, hostname, options, callback)
  }
  dns.lookup = lookup as Lookup
  return () => {
    dns.lookup = original
  }
}
