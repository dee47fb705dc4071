import { Inspector, Landing } from "@cachet/inspector"
import { HttpApi, HttpApiBuilder, HttpServer } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"

/** An app with no API groups but the inspector and the landing page, as a web handler (no socket). */
const serving = Effect.acquireRelease(
  Effect.sync(() =>
    HttpApiBuilder.toWebHandler(
      HttpApiBuilder.api(HttpApi.make("empty")).pipe(
        Layer.provide(Inspector.layer({ path: "/inspect", api: "/admin\"<x>", minify: false })),
        Layer.provide(Landing.layer({
          title: "Demo <app>",
          links: [{ name: "Inspector", href: "/inspect", description: "the cache" }, {
            name: "API docs",
            href: "/docs",
            description: "docs"
          }]
        })),
        Layer.merge(HttpServer.layerContext)
      )
    )
  ),
  ({ dispose }) => Effect.promise(dispose)
).pipe(
  Effect.map(({ handler }) => (path: string, headers: Record<string, string> = {}) =>
    Effect.promise(() => handler(new Request(`http://cachet.test${path}`, { headers })))
  )
)

describe("Inspector", () => {
  it.scoped("serves the page shell, its script and its stylesheet, built from the page sources", () =>
    Effect.gen(function*() {
      const get = yield* serving
      const page = yield* get("/inspect")
      expect(page.status).toBe(200)
      expect(page.headers.get("content-type")).toContain("text/html")
      expect(page.headers.get("content-security-policy")).toContain("script-src 'self'")
      const html = yield* Effect.promise(() => page.text())
      expect(html).toContain(`<script defer src="/inspect/assets/app.js"></script>`)
      expect(html).toContain(`data-api="/admin&quot;&lt;x&gt;"`)
      const script = yield* get("/inspect/assets/app.js")
      expect(script.headers.get("content-type")).toContain("text/javascript")
      const code = yield* Effect.promise(() => script.text())
      expect(code).toContain("/cache/events")
      expect(code).not.toMatch(/https?:\/\/(?!www\.w3\.org)/)
      const style = yield* get("/inspect/assets/style.css")
      expect(yield* Effect.promise(() => style.text())).toContain(".chart-plot")
    }))

  it.effect("builds a minified bundle by default; concurrent builds and a build after them all succeed", () =>
    Effect.gen(function*() {
      const [minified, readable] = yield* Effect.all([Inspector.build(), Inspector.build({ minify: false })], {
        concurrency: 2
      })
      expect((yield* Inspector.build()).script).toBe(minified.script)
      expect(minified.script.length).toBeGreaterThan(1000)
      expect(minified.script.length).toBeLessThan(readable.script.length)
      expect(minified.style).toContain("--accent")
    }))

  it("links with the token in the fragment, never in the path or query", () => {
    expect(Inspector.link("http://localhost:3000")).toBe("http://localhost:3000/inspector")
    expect(Inspector.link("http://localhost:3000", { token: "a b&c" })).toBe(
      "http://localhost:3000/inspector#token=a%20b%26c"
    )
    expect(Inspector.link("http://x", { path: "/i", token: "" })).toBe("http://x/i")
  })
})

describe("Landing", () => {
  it.scoped("answers HTML to browsers and JSON to JSON clients", () =>
    Effect.gen(function*() {
      const get = yield* serving
      const browser = yield* get("/", { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" })
      expect(browser.headers.get("content-type")).toContain("text/html")
      const html = yield* Effect.promise(() => browser.text())
      expect(html).toContain("<title>Demo &lt;app&gt;</title>")
      expect(html).toContain(`<a href="/inspect">`)
      const json = yield* get("/", { accept: "application/json" })
      expect(json.headers.get("content-type")).toContain("application/json")
      expect(yield* Effect.promise(() => json.json())).toEqual({
        name: "Demo <app>",
        links: { inspector: "/inspect", "api-docs": "/docs" }
      })
      expect((yield* get("/")).headers.get("content-type")).toContain("text/html")
    }))

  it("prefers JSON only when the client ranks it at least as high as HTML", () => {
    expect(Landing.prefersJson(undefined)).toBe(false)
    expect(Landing.prefersJson("*/*")).toBe(false)
    expect(Landing.prefersJson("application/json")).toBe(true)
    expect(Landing.prefersJson("application/json, text/plain, */*")).toBe(true)
    expect(Landing.prefersJson("text/html, application/json;q=0.9")).toBe(false)
    expect(Landing.prefersJson("application/json;q=0")).toBe(false)
  })
})
