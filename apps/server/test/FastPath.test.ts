/**
 * The cached endpoints answered ahead of the `HttpApi` (`CachedEndpoints`) and what every response
 * gets wherever it is answered (`Serve`): a cached hit and its 304 carry the security headers,
 * are logged, counted in flight and answered with `Connection: close` during the drain; paths
 * spelled another way than the API's are answered by the API as before.
 */
import * as Http from "node:http"

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"

import { type Server, start, testEnv } from "./harness.js"

const small = { CACHET_SEED_USERS: "4", CACHET_SEED_POSTS: "4", CACHET_SEED_COMMENTS: "4" }

/** Log lines written through `console.log` from now on, and a wait for the first that matches. */
const captureLogs = () => {
  const lines: Array<string> = []
  const waiting: Array<{ readonly pattern: RegExp; readonly resolve: (line: string) => void }> = []
  const spy = vi.spyOn(console, "log").mockImplementation((...args: Array<unknown>) => {
    const line = args.map(String).join(" ")
    lines.push(line)
    for (const wait of waiting.filter((wait) => wait.pattern.test(line))) {
      waiting.splice(waiting.indexOf(wait), 1)
      wait.resolve(line)
    }
  })
  return {
    lines,
    next: (pattern: RegExp) => new Promise<string>((resolve) => waiting.push({ pattern, resolve })),
    restore: () => spy.mockRestore()
  }
}

describe("cached reads ahead of the API", () => {
  let server: Server
  beforeAll(async () => {
    server = await start(testEnv(small))
  })
  afterAll(() => server?.close())

  it("a hit and its 304 carry the security headers and the cache headers", async () => {
    await server.get("/posts/1")
    const hit = await server.get("/posts/1")
    expect(hit.status).toBe(200)
    expect(hit.cache).toBe("HIT")
    expect(hit.headers.get("x-content-type-options")).toBe("nosniff")
    expect(hit.headers.get("content-security-policy")).toBeNull()
    expect(hit.headers.get("content-type")).toBe("application/json")
    const etag = hit.headers.get("etag")!
    expect(etag).toMatch(/^".+"$/)
    const notModified = await server.get("/posts/1", { "if-none-match": etag })
    expect(notModified.status).toBe(304)
    expect(notModified.text).toBe("")
    expect(notModified.cache).toBe("HIT")
    expect(notModified.headers.get("etag")).toBe(etag)
    expect(notModified.headers.get("x-content-type-options")).toBe("nosniff")
    const head = await server.request("HEAD", "/posts/1")
    expect([head.status, head.cache, head.text]).toEqual([200, "HIT", ""])
    expect(head.headers.get("x-content-type-options")).toBe("nosniff")
  })

  it("every cached route answers from the cache, with the body the API gives", async () => {
    for (const path of ["/users/1", "/users/1/posts", "/posts/2", "/posts", "/posts?limit=2"]) {
      const first = await server.get(path)
      const second = await server.get(path)
      expect(first.status, path).toBe(200)
      expect(second.cache, path).toBe("HIT")
      expect(second.text, path).toBe(first.text)
      expect(second.headers.get("x-content-type-options"), path).toBe("nosniff")
    }
  })

  it("paths spelled otherwise, bodies, bad parameters and unknown ids are the API's to answer, as before", async () => {
    const reference = await server.get("/posts/1")
    // The API decodes the path parameter: the same post.
    const encoded = await server.get("/posts/%31")
    expect([encoded.status, encoded.text]).toEqual([200, reference.text])
    for (const path of ["/posts/1/", "/Posts/1", "//posts/1", "/posts//1", "/posts/1;x", "/users/1/posts/"]) {
      const response = await server.get(path)
      expect(response.status, path).toBe(404)
      expect(response.json.error, path).toBe("NotFound")
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff")
    }
    const badLimit = await server.get("/posts?limit=0")
    expect(badLimit.status).toBe(400)
    const unknown = await server.get("/posts/99999")
    expect(unknown.status).toBe(404)
    expect(unknown.json._tag).toBe("PostNotFound")
    const notCanonical = await server.get("/posts/007")
    expect(notCanonical.status).toBe(404)
    // A GET with a body (which fetch cannot send): the API's guard judges it.
    const withBody = await new Promise<number | undefined>((resolve, reject) => {
      const request = Http.request(server.url + "/posts/1", {
        method: "GET",
        headers: { "content-type": "text/plain", "content-length": "5" }
      }, (response) => {
        response.resume()
        response.once("end", () => resolve(response.statusCode))
      })
      request.once("error", reject)
      request.end("hello")
    })
    expect(withBody).toBe(415)
    const wrongMethod = await server.request("PUT", "/posts/1", { body: {} })
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.get("allow")).toBe("GET, HEAD, PATCH")
  })
})

describe("what a cached hit gets from the server", () => {
  it("one log line at info: method, path, status and duration", async () => {
    const logs = captureLogs()
    const server = await start(testEnv({ ...small, CACHET_LOG_LEVEL: "Info" }))
    try {
      await server.get("/posts/1")
      const logged = logs.next(/message=request .*path=\/posts\/1 /)
      expect((await server.get("/posts/1")).cache).toBe("HIT")
      const line = await logged
      expect(line).toContain("level=INFO")
      expect(line).toContain("method=GET")
      expect(line).toContain("status=200")
      expect(line).toMatch(/durationMs=\d+/)
      const notModified = logs.next(/message=request .*status=304/)
      const etag = (await server.get("/posts/1")).headers.get("etag")!
      expect((await server.get("/posts/1", { "if-none-match": etag })).status).toBe(304)
      expect(await notModified).toContain("path=/posts/1 ")
    } finally {
      await server.close()
      logs.restore()
    }
  })

  it("no log line when info is filtered out", async () => {
    const logs = captureLogs()
    const server = await start(testEnv({ ...small, CACHET_LOG_LEVEL: "Warning" }))
    try {
      await server.get("/posts/1")
      expect((await server.get("/posts/1")).cache).toBe("HIT")
      await server.whenIdle()
      expect(logs.lines.filter((line) => line.includes("message=request"))).toEqual([])
    } finally {
      await server.close()
      logs.restore()
    }
  })

  it("is counted in flight, and during the drain answered with Connection: close", async () => {
    const logs = captureLogs()
    const server = await start(
      testEnv({ ...small, CACHET_LOG_LEVEL: "Info", CACHET_SHUTDOWN_IDLE_GRACE: "10 seconds" })
    )
    const agent = new Http.Agent({ keepAlive: true, maxSockets: 1 })
    const get = (path: string) =>
      new Promise<Http.IncomingMessage>((resolve, reject) => {
        Http.get(server.url + path, { agent }, (response) => {
          response.resume()
          response.once("end", () => resolve(response))
        }).once("error", reject)
      })
    try {
      await get("/posts/1")
      const hit = await get("/posts/1")
      expect(hit.headers["x-cache"]).toBe("HIT")
      expect(hit.headers.connection).toBe("keep-alive")
      await server.whenIdle()
      expect(server.inFlight()).toBe(0)
      const draining = logs.next(/shutting down/)
      const closed = server.close()
      await draining
      // On the connection kept alive across the start of the drain.
      const during = await get("/posts/1")
      expect(during.statusCode).toBe(200)
      expect(during.headers["x-cache"]).toBe("HIT")
      expect(during.headers.connection).toBe("close")
      expect(during.headers["x-content-type-options"]).toBe("nosniff")
      await closed
    } finally {
      agent.destroy()
      logs.restore()
    }
  })
})
