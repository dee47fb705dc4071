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

/** One contender of an interleaved measurement: a round performs `ops` operations. */
export interface Contender {
  readonly name: string
  readonly ops: number
  readonly round: () => Promise<unknown>
}

/**
 * Measures contenders round-robin (one round of each, then again, `rounds` times) and returns
 * each one's median ns per operation: a change of the machine's load during the run then
 * weighs on all of them alike, so their ratios hold.
 */
export const measureInterleaved = async (contenders: ReadonlyArray<Contender>, rounds = 7): Promise<Array<Sample>> => {
  const perRound = contenders.map((): Array<number> => [])
  const gc = (globalThis as { gc?: () => void }).gc
  for (let r = 0; r < rounds; r++) {
    for (let c = 0; c < contenders.length; c++) {
      const { ops, round } = contenders[c]!
      // Each round starts from a collected heap: no contender pays for another's garbage.
      gc?.()
      const start = process.hrtime.bigint()
      await round()
      perRound[c]!.push(Number(process.hrtime.bigint() - start) / ops)
    }
  }
  return contenders.map(({ name }, c) => ({ name, nsPerOp: median(perRound[c]!) }))
}

/** Formats nanoseconds for a table. */
export const formatNs = (ns: number): string =>
  ns >= 1_000_000
    ? `${(ns / 1_000_000).toFixed(2)} ms`
    : ns >= 1_000
    ? `${(ns / 1_000).toFixed(2)} µs`
    : `${ns.toFixed(0)} ns`

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
