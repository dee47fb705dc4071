/**
 * An urql client with `cachetExchange` and `fetchExchange` against the real app's `/graphql`
 * over real HTTP: a query, a mutation with an updater re-delivered to the active query, and
 * `cache-and-network` delivering cached then fresh data.
 */
import { cachetExchange } from "@cachet/urql"
import type { OperationResult } from "@urql/core"
import { Client, fetchExchange, gql } from "@urql/core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

import { type Server, start, testEnv } from "./harness.js"

interface Comment {
  readonly id: string
  readonly body: string
}
interface PostData {
  readonly post: { readonly id: string; readonly title: string; readonly comments: ReadonlyArray<Comment> }
}

const PostQuery = gql<PostData, { id: string }>`
  query Post($id: ID!) { post(id: $id) { id title comments { id body } } }
`
const AddComment = gql`
  mutation AddComment($postId: ID!, $authorId: ID!, $body: String!) {
    addComment(postId: $postId, authorId: $authorId, body: $body) { id body }
  }
`

/** Results of a query as they come, and a promise of the first one that satisfies a predicate. */
const observe = (client: Client, id: string, requestPolicy: "cache-first" | "cache-and-network" = "cache-first") => {
  const results: Array<OperationResult<PostData>> = []
  const waiting: Array<
    { readonly f: (r: OperationResult<PostData>) => boolean; readonly resolve: (r: OperationResult<PostData>) => void }
  > = []
  const { unsubscribe } = client.query(PostQuery, { id }, { requestPolicy }).subscribe((result) => {
    results.push(result)
    for (const w of waiting) if (w.f(result)) w.resolve(result)
  })
  const until = (f: (r: OperationResult<PostData>) => boolean) =>
    new Promise<OperationResult<PostData>>((resolve) => {
      const found = results.find(f)
      if (found !== undefined) resolve(found)
      else waiting.push({ f, resolve })
    })
  return { results, until, unsubscribe }
}

describe("urql with cachetExchange against the app's /graphql", () => {
  let server: Server
  beforeAll(async () => {
    server = await start(testEnv({ CACHET_STORE: "memory" }))
  })
  afterAll(() => server?.close())

  const client = () =>
    new Client({
      url: `${server.url}/graphql`,
      exchanges: [
        cachetExchange({
          updates: {
            Mutation: {
              addComment: (result, args, cache) => {
                const post = cache.keyOfEntity({ __typename: "Post", id: args.postId as string })
                const comments = cache.resolve(post, "comments")
                if (Array.isArray(comments)) {
                  cache.link(post!, "comments", [...comments, result.addComment as { __typename: string; id: string }])
                }
              }
            }
          }
        }),
        fetchExchange
      ]
    })

  it("a query, then the same query from the cache", async () => {
    const urql = client()
    const first = await urql.query(PostQuery, { id: "1" }).toPromise()
    expect(first.error).toBeUndefined()
    expect(first.data!.post.id).toBe("1")
    const again = await urql.query(PostQuery, { id: "1" }, { requestPolicy: "cache-only" }).toPromise()
    expect(again.data).toEqual(first.data)
  })

  it("a mutation with an updater re-delivers the active query", async () => {
    const urql = client()
    const query = observe(urql, "2")
    const initial = await query.until((r) => r.data != null)
    const added = await urql.mutation(AddComment, { postId: "2", authorId: "3", body: "via urql" }).toPromise()
    expect(added.error).toBeUndefined()
    const updated = await query.until((r) => r.data?.post.comments.some((c) => c.body === "via urql") === true)
    expect(updated.data!.post.comments.length).toBe(initial.data!.post.comments.length + 1)
    query.unsubscribe()
  })

  it("cache-and-network delivers the cached data (stale), then the server's", async () => {
    const urql = client()
    await urql.query(PostQuery, { id: "3" }).toPromise()
    const other = client()
    await other.mutation(
      gql`mutation { updatePost(id: "3", title: "Retitled through another client") { id title } }`,
      {}
    ).toPromise()
    const query = observe(urql, "3", "cache-and-network")
    const cached = await query.until(() => true)
    expect(cached.stale).toBe(true)
    expect(cached.data!.post.title).not.toBe("Retitled through another client")
    const fresh = await query.until((r) => r.data?.post.title === "Retitled through another client")
    expect(fresh.stale).toBe(false)
    query.unsubscribe()
  })
})
