import { GCProfiler, getHeapStatistics } from 'node:v8'

/**
 * Bytes allocated on the V8 heap while `run` runs: the growth of the used heap plus what every
 * garbage collection in between reclaimed (read from a `GCProfiler`). Needs `--expose-gc`, to
 * start from a collected heap.
 */
export async function allocatedBytes(run: () => unknown): Promise<number> {
  collectGarbage()
  const profiler = new GCProfiler()
  profiler.start()
  const start = getHeapStatistics().used_heap_size
  await run()
  const end = getHeapStatistics().used_heap_size
  const reclaimed = profiler
    .stop()
    .statistics.reduce((sum, gc) => sum + gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize, 0)
  return end - start + reclaimed
}

/** A full garbage collection; throws when the process was not started with `--expose-gc`. */
export function collectGarbage(): void {
  if (typeof globalThis.gc !== 'function') throw new Error('run node with --expose-gc')
  globalThis.gc()
}
