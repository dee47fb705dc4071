/**
 * The blog's end-to-end suite, run against one real server per store: reads and their cache
 * headers, every write's invalidation (what refreshes and what stays cached), validation,
 * the admin endpoints, and hostile input.
 */
import { AdminClient } from "@cachet/api"
import { FetchHttpClient } from "@effect/platform"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

import { type Server, start, testEnv } from "./harness.js"

export interface Setup {
  /** Extra configuration (e.g. `CACHET_STORE`). */
  readonly env: Record<string, string>
  readonly teardown: () => Promise<void>
}

const TOKEN = { authorization: "Bearer test-token" }

let counter = 0
const unique = (label: string) => `${label}-${process.pid}-${++counter}`

export const blogSuite = (
  name: string,
  setup: () => Promise<Setup>,
  options: { readonly skip?: string | undefined } = {}
) =>
  describe.skipIf(options.skip !== undefined)(`blog e2e (${name})`, () => {
    let server: Server
    let teardown: () => Promise<void> = async () => {}

    beforeAll(async () => {
      const prepared = await setup()
      teardown = prepared.teardown
      server = await start(testEnv(prepared.env))
    })
    afterAll(async () => {
      await server?.close()
      await teardown()
    })

    // -------------------------------------------------------------------------------------
    // helpers
    // -------------------------------------------------------------------------------------

    const createUser = async (label = "user") => {
      const response = await server.post("/users", { name: `Test ${label}`, email: `${unique(label)}@example.com` })
      expect(response.status).toBe(201)
      return response.json as { id: string; name: string; email: string }
    }
    const createPost = async (userId: string, title = "A title") => {
      const response = await server.post(`/users/${userId}/posts`, { title, body: "Some body text." })
      expect(response.status).toBe(201)
      return response.json as { id: string; userId: string; title: string }
    }
    const createComment = async (postId: string, authorId: string, body = "Nice post") => {
      const response = await server.post(`/posts/${postId}/comments`, { authorId, body })
      expect(response.status).toBe(201)
      return response.json as { id: string; postId: string; authorId: string; body: string }
    }
    /** Reads a path until it is cached, then returns the cached body. */
    const warm = async (path: string) => {
      await server.get(path)
      const again = await server.get(path)
      expect(again.cache, path).toBe("HIT")
      return again.json
    }
    const expectHit = async (path: string) => {
      const response = await server.get(path)
      expect(response.cache, `${path} should still be cached`).toBe("HIT")
      return response.json
    }
    const expectMiss = async (path: string) => {
      const response = await server.get(path)
      expect(response.status, path).toBe(200)
      expect(response.cache, `${path} should have been refreshed`).toBe("MISS")
      return response.json
    }

    // -------------------------------------------------------------------------------------
    // reads
    // -------------------------------------------------------------------------------------

    describe("reads", () => {
      it("GET /health", async () => {
        const response = await server.get("/health")
        expect(response.status).toBe(200)
        expect(response.json.status).toBe("ok")
      })

      it.each(["/users/1", "/users/1/posts", "/posts/1", "/posts?limit=5", "/posts?limit=3&cursor=50"])(
        "%s: MISS, then HIT with the same body, ETag and an Age; 304 on If-None-Match",
        async (path) => {
          await server.del("/cache", TOKEN)
          const first = await server.get(path)
          expect(first.status).toBe(200)
          expect(first.cache).toBe("MISS")
          expect(first.headers.get("age")).toBe("0")
          const etag = first.headers.get("etag")
          expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/)
          const second = await server.get(path)
          expect(second.cache).toBe("HIT")
          expect(second.text).toBe(first.text)
          expect(second.headers.get("etag")).toBe(etag)
          expect(Number(second.headers.get("age"))).toBeGreaterThanOrEqual(0)

          const notModified = await server.get(path, { "if-none-match": etag! })
          expect(notModified.status).toBe(304)
          expect(notModified.text).toBe("")
          expect(notModified.headers.get("etag")).toBe(etag)
          expect((await server.get(path, { "if-none-match": `W/${etag}, "other"` })).status).toBe(304)
          expect((await server.get(path, { "if-none-match": "\"stale-etag\"" })).status).toBe(200)
        }
      )

      it("a post comes with its author and comments; the feed pages with a cursor", async () => {
        const post = (await server.get("/posts/1")).json
        expect(post.author.id).toBe(post.userId)
        expect(Array.isArray(post.comments)).toBe(true)
        const first = (await server.get("/posts?limit=5")).json
        expect(first.items).toHaveLength(5)
        const second = (await server.get(`/posts?limit=5&cursor=${first.nextCursor}`)).json
        expect(Number(second.items[0].id)).toBeLessThan(Number(first.items[4].id))
      })

      it("unknown ids are 404 (and never 500)", async () => {
        for (const path of ["/users/999999", "/posts/999999", "/users/999999/posts"]) {
          const response = await server.get(path)
          expect(response.status, path).toBe(404)
        }
      })
    })

    // -------------------------------------------------------------------------------------
    // writes refresh exactly what they change
    // -------------------------------------------------------------------------------------

    describe("writes invalidate the narrowest tags", () => {
      it("POST /posts/:id/comments refreshes that post only", async () => {
        const author = await createUser("author")
        const commenter = await createUser("commenter")
        const post = await createPost(author.id, "Commented post")
        const other = await createPost(author.id, "Other post")
        const paths = [`/posts/${other.id}`, `/users/${author.id}/posts`, `/users/${author.id}`, "/posts?limit=5"]
        await warm(`/posts/${post.id}`)
        for (const path of paths) await warm(path)

        const comment = await createComment(post.id, commenter.id, "First!")
        const fresh = await expectMiss(`/posts/${post.id}`)
        expect(fresh.comments.map((c: { id: string }) => c.id)).toContain(comment.id)
        for (const path of paths) await expectHit(path)
      })

      it("DELETE /comments/:id refreshes that post only", async () => {
        const author = await createUser("author")
        const post = await createPost(author.id)
        const other = await createPost(author.id)
        const comment = await createComment(post.id, author.id)
        await warm(`/posts/${post.id}`)
        await warm(`/posts/${other.id}`)
        await warm(`/users/${author.id}/posts`)

        expect((await server.del(`/comments/${comment.id}`)).status).toBe(204)
        const fresh = await expectMiss(`/posts/${post.id}`)
        expect(fresh.comments).toEqual([])
        await expectHit(`/posts/${other.id}`)
        await expectHit(`/users/${author.id}/posts`)
        expect((await server.del(`/comments/${comment.id}`)).status).toBe(404)
      })

      it("PATCH /posts/:id refreshes the post and the lists showing it, not the author's other posts", async () => {
        const author = await createUser("author")
        const older = await createPost(author.id, "Older post")
        const post = await createPost(author.id, "Before")
        // A feed page that does not show the post (older pages only change with their posts).
        const olderPage = `/posts?limit=2&cursor=${older.id}`
        for (
          const path of [
            `/posts/${post.id}`,
            `/posts/${older.id}`,
            `/users/${author.id}/posts`,
            `/users/${author.id}`,
            "/posts?limit=5",
            olderPage
          ]
        ) {
          await warm(path)
        }

        const response = await server.patch(`/posts/${post.id}`, { title: "After" })
        expect(response.status).toBe(200)
        expect(response.json.title).toBe("After")
        expect((await expectMiss(`/posts/${post.id}`)).title).toBe("After")
        const list = await expectMiss(`/users/${author.id}/posts`)
        expect(list.find((p: { id: string }) => p.id === post.id).title).toBe("After")
        const feed = await expectMiss("/posts?limit=5")
        expect(feed.items[0].title).toBe("After")
        await expectHit(`/posts/${older.id}`)
        await expectHit(`/users/${author.id}`)
        await expectHit(olderPage)
      })

      it("POST /users/:id/posts refreshes the author's list and the feed's first page only", async () => {
        const author = await createUser("author")
        const bystander = await createUser("bystander")
        const existing = await createPost(author.id)
        await createPost(bystander.id)
        const olderPage = `/posts?limit=2&cursor=${existing.id}`
        const unaffected = [`/posts/${existing.id}`, `/users/${author.id}`, `/users/${bystander.id}/posts`, olderPage]
        for (const path of [`/users/${author.id}/posts`, "/posts?limit=5", ...unaffected]) await warm(path)

        const created = await createPost(author.id, "Brand new")
        expect((await expectMiss(`/users/${author.id}/posts`))[0].id).toBe(created.id)
        expect((await expectMiss("/posts?limit=5")).items[0].id).toBe(created.id)
        for (const path of unaffected) await expectHit(path)
      })

      it("a cached 404 of a post id is refreshed when a new post takes it", async () => {
        const author = await createUser("author")
        const last = await createPost(author.id)
        const next = String(Number(last.id) + 1)
        expect((await server.get(`/posts/${next}`)).status).toBe(404)
        expect((await server.get(`/posts/${next}`)).status).toBe(404)
        const created = await createPost(author.id)
        expect(created.id).toBe(next)
        expect((await server.get(`/posts/${next}`)).status).toBe(200)
      })

      it("POST /users refreshes a cached 404 of the new id and nothing else", async () => {
        const before = await createUser("before")
        const next = String(Number(before.id) + 1)
        await warm(`/users/${before.id}`)
        expect((await server.get(`/users/${next}`)).status).toBe(404)
        expect((await server.get(`/users/${next}`)).status).toBe(404)
        const created = await createUser("after")
        expect(created.id).toBe(next)
        const fresh = await server.get(`/users/${next}`)
        expect(fresh.status).toBe(200)
        expect(fresh.cache).toBe("MISS")
        await expectHit(`/users/${before.id}`)
      })

      it("PATCH /users/:id refreshes the profile and the posts showing the name, not the lists", async () => {
        const user = await createUser("renamed")
        const other = await createUser("other")
        const post = await createPost(user.id)
        const unaffected = [`/users/${user.id}/posts`, `/users/${other.id}`, "/posts?limit=5"]
        for (const path of [`/users/${user.id}`, `/posts/${post.id}`, ...unaffected]) await warm(path)

        const response = await server.patch(`/users/${user.id}`, { name: "New Name" })
        expect(response.status).toBe(200)
        expect((await expectMiss(`/users/${user.id}`)).name).toBe("New Name")
        expect((await expectMiss(`/posts/${post.id}`)).author.name).toBe("New Name")
        for (const path of unaffected) await expectHit(path)
      })

      it("DELETE /users/:id drops the user, their posts and their comments elsewhere; other reads stay cached", async () => {
        const leaving = await createUser("leaving")
        const staying = await createUser("staying")
        const theirs = await createPost(leaving.id)
        const commented = await createPost(staying.id)
        const untouched = await createPost(staying.id)
        await createComment(commented.id, leaving.id, "bye")
        await createComment(commented.id, staying.id, "hello")
        for (
          const path of [
            `/users/${leaving.id}`,
            `/users/${leaving.id}/posts`,
            `/posts/${theirs.id}`,
            `/posts/${commented.id}`,
            `/posts/${untouched.id}`,
            `/users/${staying.id}`,
            `/users/${staying.id}/posts`
          ]
        ) {
          await warm(path)
        }

        expect((await server.del(`/users/${leaving.id}`)).status).toBe(204)
        expect((await server.get(`/users/${leaving.id}`)).status).toBe(404)
        expect((await server.get(`/users/${leaving.id}/posts`)).status).toBe(404)
        expect((await server.get(`/posts/${theirs.id}`)).status).toBe(404)
        const fresh = await expectMiss(`/posts/${commented.id}`)
        expect(fresh.comments.map((c: { body: string }) => c.body)).toEqual(["hello"])
        await expectHit(`/posts/${untouched.id}`)
        await expectHit(`/users/${staying.id}`)
        await expectHit(`/users/${staying.id}/posts`)
        expect((await server.del(`/users/${leaving.id}`)).status).toBe(404)
      })
    })

    // -------------------------------------------------------------------------------------
    // validation
    // -------------------------------------------------------------------------------------

    describe("validation (422 with every failure)", () => {
      const rulesOf = (response: { json: { errors: Array<{ field: string; rule: string; message: string }> } }) =>
        response.json.errors.map(({ field, rule }) => `${field}:${rule}`)

      it.each([
        [{}, ["name:presence", "email:presence"]],
        [{ name: "A", email: "a@example.com" }, ["name:minLength"]],
        [{ name: "x".repeat(256), email: "a@example.com" }, ["name:maxLength"]],
        [{ name: "Admin", email: "a@example.com" }, ["name:exclusion"]],
        [{ name: "owner", email: "a@example.com" }, ["name:exclusion"]],
        [{ name: "Valid Name", email: "not-an-email" }, ["email:email"]],
        [{ name: null, email: null }, ["name:presence", "email:presence"]],
        [{ name: "A", email: "nope" }, ["name:minLength", "email:email"]]
      ])("POST /users %j", async (body, expected) => {
        const response = await server.post("/users", body)
        expect(response.status).toBe(422)
        expect(rulesOf(response)).toEqual(expected)
        for (const error of response.json.errors) expect(typeof error.message).toBe("string")
      })

      it("email uniqueness, listed with the other failures; PATCH may keep its own email", async () => {
        const user = await createUser("unique")
        const response = await server.post("/users", { name: "A", email: user.email })
        expect(response.status).toBe(422)
        expect(rulesOf(response)).toEqual(["name:minLength", "email:uniqueness"])
        const other = await createUser("other")
        const taken = await server.patch(`/users/${other.id}`, { email: user.email })
        expect(rulesOf(taken)).toEqual(["email:uniqueness"])
        expect((await server.patch(`/users/${user.id}`, { email: user.email, name: "Same Email" })).status).toBe(200)
      })

      it("concurrent creates with one email: one 201, the rest 422", async () => {
        const email = `${unique("race")}@example.com`
        const responses = await Promise.all(
          Array.from({ length: 8 }, (_, i) => server.post("/users", { name: `Racer ${i}`, email }))
        )
        const statuses = responses.map((r) => r.status).sort()
        expect(statuses).toEqual([201, 422, 422, 422, 422, 422, 422, 422])
        for (const response of responses.filter((r) => r.status === 422)) {
          expect(rulesOf(response)).toEqual(["email:uniqueness"])
        }
      })

      it("posts and comments", async () => {
        const user = await createUser("writer")
        const post = await createPost(user.id)
        expect(rulesOf(await server.post(`/users/${user.id}/posts`, {}))).toEqual(["title:presence", "body:presence"])
        expect(rulesOf(await server.post(`/users/${user.id}/posts`, { title: "ab", body: "" }))).toEqual([
          "title:minLength",
          "body:minLength"
        ])
        expect(rulesOf(await server.patch(`/posts/${post.id}`, { title: "t".repeat(201) }))).toEqual([
          "title:maxLength"
        ])
        expect(rulesOf(await server.post(`/posts/${post.id}/comments`, {}))).toEqual([
          "authorId:presence",
          "body:presence"
        ])
        const unknownAuthor = await server.post(`/posts/${post.id}/comments`, {
          authorId: "999999",
          body: "x".repeat(5001)
        })
        expect(rulesOf(unknownAuthor)).toEqual(["authorId:custom", "body:maxLength"])
        expect(unknownAuthor.json.errors[0].message).toBe("Author must be an existing user")
        // A missing parent is a 404, whatever the payload.
        expect((await server.post("/users/999999/posts", {})).status).toBe(404)
        expect((await server.post("/posts/999999/comments", {})).status).toBe(404)
      })
    })

    // -------------------------------------------------------------------------------------
    // admin
    // -------------------------------------------------------------------------------------

    describe("/cache admin", () => {
      it("401 without a token or with a wrong one", async () => {
        for (const headers of [{}, { authorization: "Bearer wrong" }, { authorization: "Basic dGVzdC10b2tlbg==" }]) {
          for (
            const [method, path] of [["GET", "/cache/stats"], ["GET", "/cache/entries"], ["DELETE", "/cache"], [
              "POST",
              "/cache/invalidate"
            ]] as const
          ) {
            const response = await server.request(method, path, {
              headers,
              ...(method === "POST" ? { body: { tags: ["users"] } } : {})
            })
            expect(response.status, `${method} ${path}`).toBe(401)
          }
        }
      })

      it("stats count hits and misses", async () => {
        await server.get("/users/3")
        await server.get("/users/3")
        const stats = (await server.get("/cache/stats", TOKEN)).json
        expect(stats.hits).toBeGreaterThan(0)
        expect(stats.misses).toBeGreaterThan(0)
        expect(stats.hitRatio).toBeGreaterThan(0)
      })

      it("lists and inspects an entry (tags, age, ttl, grace, state, size); deletes it", async () => {
        await server.del("/cache", TOKEN)
        await server.get("/users/2")
        const listed = (await server.get("/cache/entries?prefix=user:", TOKEN)).json
        expect(listed.keys).toHaveLength(1)
        const key: string = listed.keys[0]
        const info = await server.get(`/cache/entries/${encodeURIComponent(key)}`, TOKEN)
        expect(info.status).toBe(200)
        expect(info.json).toMatchObject({
          key,
          tags: ["User/2/$fields"],
          state: "fresh",
          ttlMillis: 300_000,
          graceMillis: 60_000,
          failed: false
        })
        expect(info.json.size).toBeGreaterThan(0)
        expect(info.json.ageMillis).toBeGreaterThanOrEqual(0)

        expect((await server.del(`/cache/entries/${encodeURIComponent(key)}`, TOKEN)).json).toEqual({
          key,
          deleted: true
        })
        expect((await server.get(`/cache/entries/${encodeURIComponent(key)}`, TOKEN)).status).toBe(404)
        expect((await server.get("/users/2")).cache).toBe("MISS")
      })

      it("invalidates by tag: that subtree refreshes, the rest stays cached", async () => {
        await warm("/users/4")
        await warm("/users/4/posts")
        await warm("/users/5")
        const response = await server.post("/cache/invalidate", { tags: ["User/4"] }, TOKEN)
        expect(response.status).toBe(200)
        expect(response.json).toEqual({ tags: ["User/4"], soft: false })
        await expectMiss("/users/4")
        await expectMiss("/users/4/posts")
        await expectHit("/users/5")
        const soft = await server.post("/cache/invalidate", { tags: ["User/5"], soft: true }, TOKEN)
        expect(soft.json).toEqual({ tags: ["User/5"], soft: true })
        // Soft expiry: the old value is served from grace (STALE) while it is refreshed.
        const stale = await server.get("/users/5")
        expect(stale.status).toBe(200)
        expect(stale.cache).toBe("STALE")
      })

      it("clears the namespace", async () => {
        await warm("/users/6")
        const response = await server.del("/cache", TOKEN)
        expect(response.status).toBe(200)
        expect(response.json.cleared).toBeGreaterThanOrEqual(1)
        await expectMiss("/users/6")
      })

      it("the typed client from @cachet/api (what the CLI uses) talks to it", async () => {
        const program = Effect.gen(function*() {
          const client = yield* AdminClient.make({ baseUrl: server.url, token: "test-token" })
          const stats = yield* client.cache.stats()
          const result = yield* client.cache.invalidate({ payload: { tags: ["User/7"] } })
          const refused = yield* AdminClient.make({ baseUrl: server.url, token: "nope" }).pipe(
            Effect.flatMap((bad) => Effect.flip(bad.cache.stats()))
          )
          return { stats, result, refused }
        }).pipe(Effect.provide(FetchHttpClient.layer))
        const { refused, result, stats } = await Effect.runPromise(program)
        expect(stats.namespace).toMatch(/^blog-test-/)
        expect(result.tags).toEqual(["User/7"])
        expect(refused._tag).toBe("Unauthorized")
      })
    })

    // -------------------------------------------------------------------------------------
    // hostile input
    // -------------------------------------------------------------------------------------

    describe("bad input is never a 500", () => {
      it("malformed JSON is 400, wrong types are 400", async () => {
        const malformed = await server.request("POST", "/users", {
          rawBody: "{\"name\":",
          headers: { "content-type": "application/json" }
        })
        expect(malformed.status).toBe(400)
        expect(malformed.json.error).toBe("BadRequest")
        expect((await server.post("/users", { name: 123, email: ["x"] })).status).toBe(400)
        expect((await server.post("/users", [1, 2])).status).toBe(400)
        expect(
          (await server.request("POST", "/users", { rawBody: "name=x", headers: { "content-type": "text/plain" } }))
            .status
        ).toBe(415)
        expect((await server.post("/cache/invalidate", { tags: [] }, TOKEN)).status).toBe(400)
        expect((await server.post("/cache/invalidate", { tags: "users" }, TOKEN)).status).toBe(400)
      })

      it("bodies over 1 MB are 413, with or without a length", async () => {
        const huge = JSON.stringify({ name: "x".repeat(1_100_000), email: "a@example.com" })
        const response = await server.request("POST", "/users", {
          rawBody: huge,
          headers: { "content-type": "application/json" }
        })
        expect(response.status).toBe(413)
        const chunked = await fetch(`${server.url}/users`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: new ReadableStream({
            start(controller) {
              const chunk = new TextEncoder().encode("x".repeat(64 * 1024))
              for (let i = 0; i < 20; i++) controller.enqueue(chunk)
              controller.close()
            }
          }),
          duplex: "half"
        } as RequestInit)
        expect(chunked.status).toBe(413)
        // Small chunked bodies still work.
        const small = await fetch(`${server.url}/users`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: new ReadableStream({
            start(controller) {
              controller.enqueue(
                new TextEncoder().encode(JSON.stringify({ name: "Chunked", email: `${unique("chunked")}@example.com` }))
              )
              controller.close()
            }
          }),
          duplex: "half"
        } as RequestInit)
        expect(small.status).toBe(201)
      })

      it.each([
        "/users/..%2F..%2Fetc%2Fpasswd",
        "/users/%2e%2e%2f%2e%2e",
        // (URL parsers resolve dot segments: `/users/%2e%2e` is `/`, the front page)
        "/users/%2e%2e/1",
        "/users/0",
        "/users/-1",
        "/users/1e3",
        "/users/01",
        "/users/%00",
        "/posts/' OR 1=1 --",
        "/posts/1%3BDROP TABLE posts",
        "/posts/99999999999999999999999"
      ])("GET %s is 404", async (path) => {
        const response = await server.get(path.replace(/ /g, "%20"))
        expect(response.status).toBe(404)
      })

      it("bad query parameters are 400; unknown routes are 404, known paths under another method 405", async () => {
        for (
          const path of [
            "/posts?limit=0",
            "/posts?limit=101",
            "/posts?limit=abc",
            "/posts?cursor=abc",
            "/posts?cursor=-1"
          ]
        ) {
          expect((await server.get(path)).status, path).toBe(400)
        }
        expect((await server.get("/nope")).status).toBe(404)
        // A ";" would end the path for the router: such paths are 404; ids never reach SQL as text.
        expect((await server.get("/posts/1;DROP%20TABLE%20posts")).status).toBe(404)
        expect((await server.get("/posts?limit=1")).json.items).toHaveLength(1)
        expect((await server.get(`/users/${"9".repeat(5000)}`)).status).toBe(404)
        expect((await server.get(`/posts/${"%2F..".repeat(500)}`)).status).toBe(404)
        expect((await server.get("/../../etc/passwd")).status).toBe(404)
        expect((await server.request("PUT", "/users/1", { body: {} })).status).toBe(405)
        expect((await server.get("/cache/entries/..%2F..%2Fetc", TOKEN)).status).toBe(404)
        expect((await server.del("/comments/abc")).status).toBe(404)
        expect((await server.patch("/posts/abc", { title: "Hello" })).status).toBe(404)
      })

      it("serves /openapi.json and /docs", async () => {
        const spec = await server.get("/openapi.json")
        expect(spec.status).toBe(200)
        expect(Object.keys(spec.json.paths)).toEqual(
          expect.arrayContaining(["/users/{id}", "/posts", "/cache/stats", "/cache/invalidate"])
        )
        const docs = await server.get("/docs")
        expect(docs.status).toBe(200)
        expect(docs.headers.get("content-type")).toContain("text/html")
      })
    })
  })
