/**
 * Measures the graph on the workload: a page of 1,000 Posts, each with one of 100
 * Authors. Run: `npx tsx --conditions=@cachet/source --expose-gc packages/normalize/bench/graph.ts`.
 */
import { EntityGraph, Normalize } from "@cachet/normalize"
import { Effect, Schema } from "effect"
import { Effect, Schema } from "effect"

const Author = Normalize.entity(Schema.Struct({ id: Schema.String, name: Schema.String, email: Schema.String }), {
  typename: "Author"
})
const Post = Normalize.entity(
  Schema.Struct({ id: Schema.String, title: Schema.String, body: Schema.String, likes: Schema.Number, author: Author }),
  { typename: "Post" }
)
const Posts = Schema.Array(Post)

const page = (n: number, version = 0) =>
  Array.from({ length: 1000 }, (_, i) => {
    const a = i % 100
    return {
      id: `p${n * 1000 + i}`,
      title: `Post number ${n * 1000 + i}`,
      body: `Body of post ${n * 1000 + i}: lorem ipsum dolor sit amet`,
      likes: i,
      author: { id: `a${a}`, name: `Author ${a}${version ? " v" + version : ""}`, email: `author${a}@example.com` }
    }
  })

const time = (label: string, runs: number, f: () => void) => {
  for (let i = 0; i < 5; i++) f()
  const start = performance.now()
  for (let i = 0; i < runs; i++) f()
  const ms = (performance.now() - start) / runs
  console.log(`${label.padEnd(40)} ${ms.toFixed(3)} ms`)
}

const gc = (globalThis as { gc?: () => void }).gc

const program = Effect.gen(function*() {
  const graph = yield* EntityGraph.make({ cacheBufferSize: 20 })
  const run = <A>(effect: Effect.Effect<A>) => Effect.runSync(effect)
  const data = page(0)
  let v = 0
  time("write 1000 posts (fresh data each run)", 50, () => {
    run(graph.writeQuery("posts", { page: 0 }, Posts, page(0, ++v)))
  })
  const datas = Array.from({ length: 50 }, (_, i) => page(0, i + 1000))
  let k = 0
  const start = performance.now()
  for (const d of datas) run(graph.writeQuery("posts", { page: 0 }, Posts, d))
  console.log(
    `${"write 1000 posts (prebuilt data)".padEnd(40)} ${((performance.now() - start) / datas.length).toFixed(3)} ms`
  )
  time("write same data again", 50, () => run(graph.writeQuery("posts", { page: 0 }, Posts, data)))
  time("read after a write", 50, () => {
    run(graph.writeQuery("posts", { page: 0 }, Posts, datas[k++ % datas.length]!))
    run(graph.readQuery("posts", { page: 0 }, Posts))
  })
  time("repeated read", 1000, () => run(graph.readQuery("posts", { page: 0 }, Posts)))
  let before = run(graph.readQuery("posts", { page: 0 }, Posts)).data!
  let n = 0
  let shared = 0
  time("re-read after one author changed", 200, () => {
    run(graph.writeFragment(Author, { id: "a7", name: `renamed ${n++}`, email: "x@example.com" }))
    const after = run(graph.readQuery("posts", { page: 0 }, Posts)).data!
    shared = after.filter((p, i) => p === before[i]).length
    before = after
  })
  console.log(`${"  unchanged posts keeping identity".padEnd(40)} ${shared} / 1000`)

  // retained heap of 10 pages vs raw JSON
  const fresh = yield* EntityGraph.make({ cacheBufferSize: 20 })
  const pages = Array.from({ length: 10 }, (_, i) => JSON.stringify(page(i)))
  const raw = pages.reduce((n, p) => n + p.length, 0)
  gc?.()
  const heap0 = process.memoryUsage().heapUsed
  for (let i = 0; i < 10; i++) {
    run(fresh.writeQuery("posts", { page: i }, Posts, JSON.parse(pages[i]!)))
    if (!process.env.NOREAD) run(fresh.readQuery("posts", { page: i }, Posts))
  }
  gc?.()
  const heap1 = process.memoryUsage().heapUsed
  console.log(`${"raw JSON of 10 pages".padEnd(40)} ${(raw / 1e6).toFixed(2)} MB`)
  console.log(
    `${"retained heap (written + read)".padEnd(40)} ${((heap1 - heap0) / 1e6).toFixed(2)} MB = ${
      ((heap1 - heap0) / raw).toFixed(2)
    }x`
  )
  if (gc === undefined) console.log("  (run with --expose-gc for a stable heap figure)")
})

Effect.runSync(Effect.scoped(program))
