/**
 * Timing helpers: run a body a fixed number of times in rounds and keep the median round, so one
 * garbage collection or scheduler hiccup does not decide a figure.
 */

/** One measured figure. */
export interface Sample {
  readonly name: string
  readonly nsPerOp: number
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

/** Measures an async body (`ops` calls per round) and returns the median ns per call. */
export const measureAsync = async (
  name: string,
  ops: number,
  body: (i: number) => Promise<unknown>,
  rounds = 5
): Promise<Sample> => {
  const perRound: Array<number> = []
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < ops; i++) await body(i)
    perRound.push(Number(process.hrtime.bigint() - start) / ops)
  }
  return { name, nsPerOp: median(perRound) }
}

/** Measures a whole-round body that performs `ops` operations itself (e.g. one Effect program). */
export const measureRounds = async (
  name: string,
  ops: number,
  round: () => Promise<unknown>,
  rounds = 5
): Promise<Sample> => {
  const perRound: Array<number> = []
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint()
    await round()
    perRound.push(Number(process.hrtime.bigint() - start) / ops)
  }
  return { name, nsPerOp: median(perRound) }
}

/** Formats nanoseconds for a table. */
export const formatNs = (ns: number): string =>
  ns >= 1_000_000 ? `${(ns / 1_000_000).toFixed(2)} ms` : ns >= 1_000 ? `${(ns / 1_000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`

/** One allocation figure: bytes allocated per operation. */
export interface Allocation {
  readonly name: string
  readonly bytesPerOp: number
}

/**
 * Bytes allocated per operation: `process.memoryUsage().heapUsed` deltas over chunks of `ops`
 * operations after a full collection (needs `--expose-gc`), keeping only chunks no garbage
 * collection overlapped (seen by a `gc` PerformanceObserver), median of those. `NaN` when every
 * chunk was collected into.
 */
export const measureAllocation = async (
  name: string,
  ops: number,
  chunk: () => Promise<unknown>,
  chunks = 21
): Promise<Allocation> => {
  const { PerformanceObserver, performance } = await import("node:perf_hooks")
  const collections: Array<readonly [number, number]> = []
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) collections.push([entry.startTime, entry.startTime + entry.duration])
  })
  observer.observe({ entryTypes: ["gc"] })
  const gc = (globalThis as { gc?: () => void }).gc
  const windows: Array<readonly [number, number, number]> = []
  for (let c = 0; c < chunks; c++) {
    gc?.()
    await new Promise((resolve) => setImmediate(resolve))
    const start = performance.now()
    const before = process.memoryUsage().heapUsed
    await chunk()
    const after = process.memoryUsage().heapUsed
    windows.push([start, performance.now(), after - before])
  }
  await new Promise((resolve) => setTimeout(resolve, 10))
  observer.disconnect()
  const clean = windows
    .filter(([start, end]) => !collections.some(([s, e]) => s < end && e > start))
    .map(([, , bytes]) => bytes / ops)
  return { name, bytesPerOp: clean.length === 0 ? NaN : median(clean) }
}
