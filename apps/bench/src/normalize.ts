/**
 * Normalized data (issue 5 "Speed"): a query of 1,000 `Post` entities, each with a nested
 * `Author` (100 distinct authors), written then read by Cachet's `EntityGraph`, Apollo's
 * `InMemoryCache` and urql's Graphcache, in one process and one run, on the same data.
 *
 * - Cachet: `EntityGraph.make` driven with `Effect.runSync` (Schemas that declare `__typename`
 *   as a literal, so all three store and return the same GraphQL-shaped data; a second Cachet
 *   column uses Schemas without `__typename`, on data without it, as Cachet needs no typename).
 * - Cachet Documents: the same graph driven by the peers' `gql` documents (`Documents.writeQuery` /
 *   `readQuerySync`, synchronous like the peers' reads; the author change is a write of the `Author` query, as urql's).
 * - Apollo: `InMemoryCache#writeQuery` / `readQuery` / `writeFragment` with a `gql` document.
 * - urql: Graphcache's `Store` can only be used inside an operation (its `readQuery` outside
 *   one throws), so it is driven the way applications use it: `cacheExchange()` in a
 *   `@urql/core` `Client` whose last exchange is a synchronous mock fetch answering with the
 *   page. A urql "write" is therefore a network-only query: Graphcache writes the result and
 *   reads it back in the same step (it always does); reads are `client.readQuery` (cache-only).
 *
 * Times are per operation, the median of rounds; only the measured operation is timed (the
 * write before a "read after a write" and the author change before a re-read are not).
 * Retained heap: `heapUsed` after `global.gc()` before and after writing and reading 10 pages
 * into a fresh cache (results dropped, so what counts is what the cache keeps), median of 3.
 */
import { InMemoryCache } from "@apollo/client/core/index.js"
import { Documents, EntityGraph, Normalize } from "@cachet/normalize"
import type { Exchange, Operation } from "@urql/core"
import { Client, gql, makeResult } from "@urql/core"
import { cacheExchange } from "@urql/exchange-graphcache"
import { Context, Effect, Layer, Schema, Scope } from "effect"
import { filter, map, pipe } from "wonka"

const POSTS = 1000
const AUTHORS = 100
const PAGES = 10

interface Author {
  readonly __typename?: "Author"
  readonly id: string
  readonly name: string
  readonly email: string
}
interface Post {
  readonly __typename?: "Post"
  readonly id: string
  readonly title: string
  readonly body: string
  readonly likes: number
  readonly author: Author
}
type Page = ReadonlyArray<Post>

/** Page `n` (posts `n*1000...`); `version` changes every author's name, so rewrites change data. */
const makePage = (n: number, version: number, typenames: boolean): Page =>
  Array.from({ length: POSTS }, (_, i) => {
    const a = i % AUTHORS
    const id = n * POSTS + i
    const author = {
      id: `a${a}`,
      name: `Author ${a}${version === 0 ? "" : ` v${version}`}`,
      email: `author${a}@example.com`
    }
    const post = {
      id: `p${id}`,
      title: `Post number ${id}`,
      body: `Body of post ${id}: lorem ipsum dolor sit amet`,
      likes: i
    }
    return typenames
      ? { __typename: "Post" as const, ...post, author: { __typename: "Author" as const, ...author } }
      : { ...post, author }
  })

const renamed = (id: string, round: number, typenames: boolean): Author => {
  const author = { id, name: `renamed ${round}`, email: `${id}@example.org` }
  return typenames ? { __typename: "Author", ...author } : author
}

/** What the bench drives: one cache. */
interface Subject {
  readonly write: (n: number, page: Page) => Promise<void> | void
  readonly read: (n: number) => Page | null | undefined
  readonly changeAuthor: (author: Author) => Promise<void> | void
}

interface Library {
  readonly name: string
  readonly typenames: boolean
  readonly make: () => Subject
}

// -------------------------------------------------------------------------------------------------
// Cachet

const AuthorFields = { id: Schema.String, name: Schema.String, email: Schema.String }
const postFields = { id: Schema.String, title: Schema.String, body: Schema.String, likes: Schema.Number }

const cachetSchemas = (typenames: boolean) => {
  if (typenames) {
    const Author = Normalize.entity(Schema.Struct({ __typename: Schema.Literal("Author"), ...AuthorFields }), {
      typename: "Author"
    })
    const Post = Normalize.entity(
      Schema.Struct({ __typename: Schema.Literal("Post"), ...postFields, author: Author }),
      {
        typename: "Post"
      }
    )
    return {
      Author: Author as Schema.Schema<Author, unknown>,
      Posts: Schema.Array(Post) as Schema.Schema<Page, unknown>
    }
  }
  const Author = Normalize.entity(Schema.Struct(AuthorFields), { typename: "Author" })
  const Post = Normalize.entity(Schema.Struct({ ...postFields, author: Author }), { typename: "Post" })
  return { Author: Author as Schema.Schema<Author, unknown>, Posts: Schema.Array(Post) as Schema.Schema<Page, unknown> }
}

const cachet = (typenames: boolean): Library => {
  const { Author, Posts } = cachetSchemas(typenames)
  return {
    name: typenames ? "Cachet EntityGraph" : "Cachet, no __typename",
    typenames,
    make: () => {
      const scope = Effect.runSync(Scope.make())
      const graph = Effect.runSync(Scope.extend(EntityGraph.make({ cacheBufferSize: 20 }), scope))
      return {
        write: (n, page) => Effect.runSync(graph.writeQuery("posts", { page: n }, Posts, page)),
        read: (n) => Effect.runSync(graph.readQuery("posts", { page: n }, Posts)).data,
        changeAuthor: (author) => {
          Effect.runSync(graph.writeFragment(Author, author))
        }
      }
    }
  }
}

// -------------------------------------------------------------------------------------------------
// GraphQL documents (Apollo and urql)

const PostsQuery = gql`
  query Posts($page: Int!) {
    posts(page: $page) {
      __typename
      id
      title
      body
      likes
      author {
        __typename
        id
        name
        email
      }
    }
  }
`

const AuthorQuery = gql`
  query Author($id: ID!) {
    author(id: $id) {
      __typename
      id
      name
      email
    }
  }
`

const AuthorFragment = gql`
  fragment AuthorFields on Author {
    __typename
    id
    name
    email
  }
`

const apollo: Library = {
  name: "Apollo InMemoryCache",
  typenames: true,
  make: () => {
    const cache = new InMemoryCache()
    return {
      write: (n, page) => {
        cache.writeQuery({ query: PostsQuery, variables: { page: n }, data: { posts: page } })
      },
      read: (n) => cache.readQuery<{ posts: Page }>({ query: PostsQuery, variables: { page: n } })?.posts,
      changeAuthor: (author) => {
        cache.writeFragment({ id: `Author:${author.id}`, fragment: AuthorFragment, data: author })
      }
    }
  }
}

/** Cachet driven by the same `gql` documents as Apollo and urql (the `Documents` front end). */
const cachetDocuments: Library = {
  name: "Cachet Documents",
  typenames: true,
  make: () => {
    const scope = Effect.runSync(Scope.make())
    const context = Effect.runSync(
      Layer.buildWithScope(
        Documents.layer().pipe(Layer.provide(EntityGraph.layer({ cacheBufferSize: 20 }))),
        scope
      )
    )
    const docs = Context.get(context, Documents.Documents)
    return {
      write: (n, page) =>
        Effect.runSync(docs.writeQuery({ query: PostsQuery, variables: { page: n }, data: { posts: page } })),
      read: (n) => docs.readQuerySync<{ posts: Page }>({ query: PostsQuery, variables: { page: n } }).data?.posts,
      changeAuthor: (author) => {
        Effect.runSync(docs.writeQuery({ query: AuthorQuery, variables: { id: author.id }, data: { author } }))
      }
    }
  }
}

const urql: Library = {
  name: "urql Graphcache",
  typenames: true,
  make: () => {
    let response: Record<string, unknown> | null = null
    /** The network: answers every query or mutation at once with `response`. */
    const mockFetch: Exchange = () => (operations$) =>
      pipe(
        operations$,
        filter((operation: Operation) => operation.kind === "query" || operation.kind === "mutation"),
        map((operation: Operation) => makeResult(operation, { data: response }))
      )
    const client = new Client({ url: "http://bench.invalid/graphql", exchanges: [cacheExchange(), mockFetch] })
    const fetch = async (
      query: typeof PostsQuery,
      variables: Record<string, unknown>,
      data: Record<string, unknown>
    ) => {
      response = data
      const result = await client.query(query, variables, { requestPolicy: "network-only" }).toPromise()
      response = null
      if (result.error !== undefined) throw result.error
    }
    return {
      write: (n, page) => fetch(PostsQuery, { page: n }, { __typename: "Query", posts: page }),
      read: (n) => (client.readQuery(PostsQuery, { page: n })?.data as { posts: Page } | undefined)?.posts,
      changeAuthor: (author) => fetch(AuthorQuery, { id: author.id }, { __typename: "Query", author })
    }
  }
}

// -------------------------------------------------------------------------------------------------
// measurement

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

const now = (): number => Number(process.hrtime.bigint()) / 1e6

/** `rounds` rounds of `ops` operations; `op` returns the ms of its timed part; the median round mean. */
const rounds = async (count: number, ops: number, op: (i: number) => Promise<number>): Promise<number> => {
  const means: Array<number> = []
  let i = 0
  for (let r = 0; r < count; r++) {
    let total = 0
    for (let k = 0; k < ops; k++) total += await op(i++)
    means.push(total / ops)
  }
  return median(means)
}

const timed = async (f: () => unknown): Promise<number> => {
  const start = now()
  await f()
  return now() - start
}

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc
  if (collect !== undefined) {
    collect()
    collect()
  }
}

/** One library's figures. */
export interface Figures {
  readonly name: string
  readonly writeMs: number
  readonly readAfterWriteMs: number
  readonly repeatedReadMs: number
  readonly rereadMs: number
  /** How many of the 1,000 posts kept their identity across the re-read after one author changed. */
  readonly unchangedKept: number
  readonly heapBytes: number
  readonly rawJsonBytes: number
}

const sameCount = (a: Page | null | undefined, b: Page | null | undefined): number => {
  if (a == null || b == null) return 0
  let same = 0
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] === b[i]) same++
  return same
}

const check = (name: string, page: Page | null | undefined, what: string): Page => {
  if (page == null || page.length !== POSTS) {
    throw new Error(`${name}: ${what} read ${page == null ? "nothing" : `${page.length} posts`}`)
  }
  return page
}

const timings = async (library: Library): Promise<Omit<Figures, "heapBytes" | "rawJsonBytes">> => {
  const { name, typenames } = library
  const subject = library.make()
  let version = 1
  // warm-up: writes and reads of every kind
  gc() // the previous library's garbage is not this one's to collect
  for (let i = 0; i < 4; i++) {
    await subject.write(0, makePage(0, version++, typenames))
    check(name, subject.read(0), "warm-up")
    await subject.changeAuthor(renamed("a7", version++, typenames))
    check(name, subject.read(0), "warm-up")
  }
  const writeMs = await rounds(5, 3, async () => {
    const page = makePage(0, version++, typenames)
    return timed(() => subject.write(0, page))
  })
  const readAfterWriteMs = await rounds(5, 2, async () => {
    await subject.write(0, makePage(0, version++, typenames))
    return timed(() => check(name, subject.read(0), "read after a write"))
  })
  check(name, subject.read(0), "read")
  const repeatedReadMs = await rounds(5, 10, () => timed(() => subject.read(0)))
  let before = check(name, subject.read(0), "read")
  let unchangedKept = 0
  const rereadMs = await rounds(5, 10, async (i) => {
    await subject.changeAuthor(renamed(`a${(i * 7) % AUTHORS}`, version++, typenames))
    let after: Page | undefined
    const ms = await timed(() => (after = check(name, subject.read(0), "re-read")))
    unchangedKept = sameCount(before, after)
    before = after!
    return ms
  })

  return {
    name,
    writeMs,
    readAfterWriteMs,
    repeatedReadMs,
    rereadMs,
    unchangedKept
  }
}

/** Retained heap of 10 pages written and read into a fresh cache (called with nothing else of the library alive). */
const retained = async (library: Library): Promise<{ heapBytes: number; rawJsonBytes: number }> => {
  const { name, typenames } = library
  const texts = Array.from({ length: PAGES }, (_, n) => JSON.stringify(makePage(n + 1, 0, typenames)))
  const rawJsonBytes = texts.reduce((sum, text) => sum + text.length, 0)
  const heaps: Array<number> = []
  let fresh: Subject | undefined
  for (let repeat = 0; repeat < 3; repeat++) {
    fresh = undefined // the previous cache must be collected before the baseline, not during the measurement
    gc()
    const heap0 = process.memoryUsage().heapUsed
    fresh = library.make()
    for (let n = 0; n < PAGES; n++) {
      await fresh.write(n + 1, JSON.parse(texts[n]!) as Page)
      check(name, fresh.read(n + 1), "heap read")
    }
    gc()
    heaps.push(process.memoryUsage().heapUsed - heap0)
    check(name, fresh.read(1), "heap read") // keeps the cache reachable until its figure is taken
  }
  return { heapBytes: median(heaps), rawJsonBytes }
}

/** Whether `global.gc` is available (the heap figures need `node --expose-gc`). */
export const canCollect = (): boolean => typeof (globalThis as { gc?: unknown }).gc === "function"

/** How urql is driven, for the report. */
export const urqlMethod =
  "urql: `cacheExchange()` in a `@urql/core` Client with a synchronous mock fetch exchange (Graphcache's `Store` " +
  "cannot be read or written outside an operation); " +
  "its write is a network-only query, which Graphcache writes and reads back in one step; reads are " +
  "`client.readQuery` (cache-only)."

/**
 * Every figure: Cachet first, then Apollo, urql, Cachet without `__typename`, and Cachet driven by the peers'
 * documents.
 */
export const run = async (): Promise<ReadonlyArray<Figures>> => {
  const out: Array<Figures> = []
  for (const library of [cachet(true), apollo, urql, cachet(false), cachetDocuments]) {
    const times = await timings(library)
    out.push({ ...times, ...(await retained(library)) })
  }
  return out
}
