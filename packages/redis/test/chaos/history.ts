/**
 * The chaos suite's history and its checker. The model: a database row per key holds a version;
 * a write bumps it, then invalidates the key's tag in the writing process. Every fetch is
 * recorded (what version it read, when, in which process) and its id is the cached value, so a
 * read tells which fetch produced what it returned. The checker asks, per key and process:
 * - in the process that invalidated, no read that started after the invalidation returned sees
 *   an older version (exact);
 * - in the other processes, none that started later than the bound after the invalidation
 *   returned — or after the end of the fault in force then, since a deferred invalidation
 *   reaches the store only once it answers again.
 */

/** One read: when it ran (parent's clock), in which process, and the fetch it returned. */
export interface Read {
  readonly proc: number
  readonly key: number
  readonly start: number
  readonly end: number
  readonly fetch: number
  readonly duringFault: boolean
}

/** One write: the version it made, and when the process's `invalidate` ran. */
export interface Invalidation {
  readonly proc: number
  readonly key: number
  readonly version: number
  readonly start: number
  readonly end: number
}

/** One fetch from the database: the version it saw. */
export interface Fetch {
  readonly version: number
  readonly at: number
  readonly proc: number
  readonly key: number
}

/** A fault's window (start to healed). */
export interface Window {
  readonly name: string
  readonly start: number
  readonly end: number
}

/** The recorded history of a run, and the database it ran against. */
export class History {
  readonly database: Array<number>
  readonly reads: Array<Read> = []
  readonly invalidations: Array<Invalidation> = []
  readonly fetches: Array<Fetch> = []
  readonly faultWindows: Array<Window> = []
  readonly started = performance.now()

  constructor(readonly keys: number) {
    this.database = new Array<number>(keys).fill(0)
  }

  /** Reads a key's row for a process's fetch; returns the fetch's id (the value to cache). */
  fetch(proc: number, key: number): number {
    return this.fetches.push({ version: this.database[key]!, at: performance.now(), proc, key }) - 1
  }

  /** The version a fetch saw. */
  seen(id: number): number {
    return this.fetches[id]?.version ?? -1
  }
}

/** What the checker found. */
export interface Verdict {
  readonly staleSameProcess: number
  readonly readsBeyondBound: number
  readonly examples: ReadonlyArray<string>
}

/** Checks every read of the history against the invalidations before it (see the module comment). */
export const check = (history: History, processes: number, boundMillis: number): Verdict => {
  const examples: Array<string> = []
  const at = (time: number) => Math.round(time - history.started)
  const faultEndAfter = (time: number) => {
    let end = time
    for (const window of history.faultWindows) {
      if (window.start <= time + boundMillis && window.end >= time) end = Math.max(end, window.end)
    }
    return end
  }
  let staleSameProcess = 0
  let readsBeyondBound = 0
  for (let key = 0; key < history.keys; key++) {
    const ofKey = history.invalidations.filter((i) => i.key === key)
    for (let proc = 0; proc < processes; proc++) {
      // (time from which a read must see at least version), sorted by time, as a running max.
      const thresholds = ofKey.map((i) =>
        [i.proc === proc ? i.end : faultEndAfter(i.end) + boundMillis, i.version, i.proc === proc, i.end] as const
      ).sort((a, b) => a[0] - b[0])
      const maxes: Array<{ at: number; version: number; same: boolean; end: number }> = []
      let best = 0
      let same = false
      let bestEnd = 0
      for (const [time, version, own, end] of thresholds) {
        if (version > best) {
          best = version
          same = own
          bestEnd = end
        }
        maxes.push({ at: time, version: best, same, end: bestEnd })
      }
      for (const read of history.reads) {
        if (read.key !== key || read.proc !== proc) continue
        // The last threshold strictly before the read started.
        let lo = 0
        let hi = maxes.length
        while (lo < hi) {
          const mid = (lo + hi) >> 1
          if (maxes[mid]!.at < read.start) lo = mid + 1
          else hi = mid
        }
        if (lo === 0) continue
        const required = maxes[lo - 1]!
        const seen = history.seen(read.fetch)
        if (seen >= required.version) continue
        if (required.same) staleSameProcess++
        else readsBeyondBound++
        if (examples.length < 5) {
          const fetch = history.fetches[read.fetch]
          examples.push(
            `process ${proc} key ${key} read at ${at(read.start)} saw ${seen} < ${required.version} ` +
              `(${required.same ? "same process" : "other process"}, invalidated at ${at(required.end)}; ` +
              (fetch === undefined
                ? `unknown fetch ${read.fetch})`
                : `fetched by process ${fetch.proc} at ${at(fetch.at)} for key ${fetch.key})`)
          )
        }
      }
    }
  }
  return { staleSameProcess, readsBeyondBound, examples }
}

/** The `p` quantile of some durations, rounded to 0.1 ms. */
export const percentile = (values: Array<number>, p: number): number => {
  if (values.length === 0) return 0
  values.sort((a, b) => a - b)
  return Math.round(values[Math.min(values.length - 1, Math.floor(values.length * p))]! * 10) / 10
}
