import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os'
import type { Results } from './results.ts'

/** The machine the run is on, and how busy it was when the run started. */
export function machine(): Results['meta']['machine'] {
  const cores = cpus()
  return {
    os: `${platform()} ${release()} ${arch()}`,
    cpu: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: loadavg().map((load) => Math.round(load * 100) / 100),
  }
}
