/**
 * A deterministic seed: the same counts always give the same users, posts and comments (a
 * seeded PRNG, fixed timestamps), written in one transaction into an empty database.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"

/**
 * How many rows to write.
 *
 * @since 0.1.0
 * @category models
 */
export interface Counts {
  readonly users: number
  readonly posts: number
  readonly comments: number
}

const firstNames = [
  "Ada",
  "Alan",
  "Barbara",
  "Claude",
  "Donald",
  "Edsger",
  "Frances",
  "Grace",
  "Hedy",
  "Ivan",
  "Jean",
  "Ken",
  "Leslie",
  "Margaret",
  "Niklaus",
  "Ole",
  "Peter",
  "Radia",
  "Sophie",
  "Tim"
]
const lastNames = [
  "Lovelace",
  "Turing",
  "Liskov",
  "Shannon",
  "Knuth",
  "Dijkstra",
  "Allen",
  "Hopper",
  "Lamarr",
  "Sutherland",
  "Sammet",
  "Thompson",
  "Lamport",
  "Hamilton",
  "Wirth",
  "Dahl",
  "Naur",
  "Perlman",
  "Wilson",
  "Berners-Lee"
]
const words = [
  "cache",
  "effect",
  "layer",
  "schema",
  "stream",
  "fiber",
  "scope",
  "tag",
  "store",
  "query",
  "grace",
  "ttl",
  "redis",
  "sqlite",
  "memory",
  "stale",
  "fresh",
  "invalidate",
  "batch",
  "lock",
  "service",
  "context",
  "runtime",
  "metric",
  "span",
  "retry",
  "timeout",
  "circuit",
  "breaker",
  "policy"
]

/** mulberry32: a tiny, well-distributed 32-bit PRNG. */
const prng = (seed: number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const BASE = Date.UTC(2024, 0, 1)
const MINUTE = 60_000

/**
 * The rows of a seed, in insert order (ids are explicit: 1..n).
 *
 * @since 0.1.0
 * @category constructors
 */
export const rows = (counts: Counts) => {
  const random = prng(0xcac4e7)
  const int = (n: number) => Math.floor(random() * n)
  const pick = <A>(values: ReadonlyArray<A>): A => values[int(values.length)]!
  const sentence = (min: number, max: number) => {
    const n = min + int(max - min + 1)
    const out: Array<string> = []
    for (let i = 0; i < n; i++) out.push(pick(words))
    const text = out.join(" ")
    return text[0]!.toUpperCase() + text.slice(1)
  }
  const at = (millis: number) => new Date(millis).toISOString()

  const users = Array.from({ length: counts.users }, (_, index) => {
    const id = index + 1
    const first = firstNames[index % firstNames.length]!
    const last = lastNames[(index * 7 + Math.floor(index / firstNames.length)) % lastNames.length]!
    const createdAt = at(BASE + index * 60 * MINUTE)
    return {
      id,
      name: `${first} ${last}`,
      email: `${first}.${last}.${id}@example.com`.toLowerCase(),
      createdAt,
      updatedAt: createdAt
    }
  })
  const postTimes: Array<number> = []
  const posts = Array.from({ length: counts.posts }, (_, index) => {
    const time = BASE + 30 * 24 * 60 * MINUTE + index * 10 * MINUTE
    postTimes.push(time)
    return {
      id: index + 1,
      userId: 1 + int(counts.users),
      title: sentence(3, 7),
      body: Array.from({ length: 2 + int(3) }, () => sentence(6, 14) + ".").join(" "),
      createdAt: at(time),
      updatedAt: at(time)
    }
  })
  const comments = counts.posts === 0 ? [] : Array.from({ length: counts.comments }, (_, index) => {
    const post = int(counts.posts)
    const time = at(postTimes[post]! + (1 + int(600)) * MINUTE)
    return {
      id: index + 1,
      postId: post + 1,
      authorId: 1 + int(counts.users),
      body: sentence(4, 16) + ".",
      createdAt: time,
      updatedAt: time
    }
  })
  return { users, posts, comments }
}

const chunk = <A>(values: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size))
  return out
}

/**
 * Seeds the database if it has no users; true when it wrote.
 *
 * @since 0.1.0
 * @category constructors
 */
export const run = (counts: Counts): Effect.Effect<boolean, SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [existing] = yield* sql<{ readonly count: number }>`SELECT COUNT(*) AS count FROM users`
    if ((existing?.count ?? 0) > 0) return false
    const data = rows(counts)
    yield* sql.withTransaction(Effect.gen(function*() {
      for (const part of chunk(data.users, 500)) yield* sql`INSERT INTO users ${sql.insert(part)}`
      for (const part of chunk(data.posts, 500)) yield* sql`INSERT INTO posts ${sql.insert(part)}`
      for (const part of chunk(data.comments, 500)) yield* sql`INSERT INTO comments ${sql.insert(part)}`
    }))
    yield* Effect.logInfo("database seeded").pipe(
      Effect.annotateLogs({ users: counts.users, posts: counts.posts, comments: data.comments.length })
    )
    return true
  })
