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
