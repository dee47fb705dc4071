/**
 * The "Promise API" section: `@cachet/promise`'s `getOrSet` hit with one tag, from plain async
 * code, next to BentoCache's `getOrSet`, cache-manager's `wrap` and lru-cache's `fetch`, measured
 * round-robin in one run.
 */
import { createCache } from "@cachet/promise"

import * as CacheBench from "./cache.js"
import { type Contender, formatNs, measureInterleaved, type Sample } from "./measure.js"

const { keys, KEYS, valueOf } = CacheBench

/**
 * Short rounds, many of them, taken in turn: on a loaded machine a change of load then weighs on
 * every contender alike.
 */
const OPS = 20_000
const ROUNDS = 21

/** The goals of issue 22: at least 2× faster than these, at most 3× slower than lru-cache. */
const goals = { faster: ["bentocache", "cache-manager"], lru: "lru-cache" } as const

/** Measures the contenders; the Promise cache comes first. */
export const run = async (): Promise<Array<Sample>> => {
  const cache = createCache({ ttl: "1 hour" })
  const getOrSet = (n: number) => cache.getOrSet(keys[n]!, () => valueOf(n), { tags: [`users/${n}`] })
  for (let n = 0; n < KEYS; n++) await getOrSet(n)
  const promise: Contender = {
    name: "cachet @cachet/promise getOrSet (1 tag)",
    ops: OPS,
    round: async () => {
      for (let i = 0; i < OPS; i++) await getOrSet(i % KEYS)
    }
  }
  const bento = await CacheBench.bento(OPS / 10)
  const contenders = [
    promise,
    ...bento.contenders,
    await CacheBench.cacheManager(OPS / 4),
    await CacheBench.lruCache(OPS)
  ]
  const samples = await measureInterleaved(contenders, ROUNDS)
  await Promise.all([bento.dispose(), cache.close()])
  return samples
}

/** The section's markdown. */
export const section = async (): Promise<Array<string>> => {
  const samples = await run()
  const reference = samples[0]!
  const rows = samples.map((row) =>
    `| ${row.name} | ${formatNs(row.nsPerOp)} | ${(row.nsPerOp / reference.nsPerOp).toFixed(2)}× |`
  )
  const verdict = (peer: Sample) => {
    const ratio = peer.nsPerOp / reference.nsPerOp
    const met = peer.name.startsWith(goals.lru) ? 1 / ratio <= 3 : ratio >= 2
    const goal = peer.name.startsWith(goals.lru) ? "goal ≤ 3× slower" : "goal ≥ 2× faster"
    const said = ratio >= 1 ? `${ratio.toFixed(2)}× faster than` : `${(1 / ratio).toFixed(2)}× slower than`
    return `- ${reference.name} is ${said} ${peer.name} (${goal}: ${met ? "met" : "**not met**"})`
  }
  return [
    "## Promise API: a `getOrSet` hit with one tag, from async code (10,000 keys)",
    "",
    `| library and operation | per op | ratio to ${reference.name} |`,
    "| --- | ---: | ---: |",
    ...rows,
    "",
    ...samples.slice(1).filter((peer) => [...goals.faster, goals.lru].some((name) => peer.name.startsWith(name)))
      .map(verdict),
    "- Each call is awaited in a plain `for` loop, as an async caller would; the peers' setups are the " +
    "read-through section's.",
    ""
  ]
}
