/**
 * The inspector in a real browser: Debian's Chromium driven by playwright-core, against the
 * real app on a free port. Every wait is on the page's DOM or the server's answer, never a
 * sleep. The last test writes a screenshot to the temporary directory, or, with
 * `CACHET_UPDATE_SCREENSHOTS=1`, to `docs/inspector.png` (the inspector page's picture), so a test run
 * leaves the tree clean.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

import { Servers } from "@cachet/core/testing"
import { Effect, Exit, Scope } from "effect"
import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

import { type Server, start, testEnv } from "./harness.js"

// The page's globals as the functions given to `evaluate` / `waitForFunction` see them (they run
// in the browser; this file is compiled without the DOM library).
declare const document: any, sessionStorage: any, Image: any

const CHROMIUM = "/usr/bin/chromium"
const TOKEN = "test-token"
const AUTH = { authorization: `Bearer ${TOKEN}` }
const SCREENSHOT = process.env.CACHET_UPDATE_SCREENSHOTS === "1"
  ? Path.resolve(import.meta.dirname, "../../../docs/inspector.png")
  : Path.join(Os.tmpdir(), `cachet-inspector-${process.pid}.png`)

const skip = (() => {
  if (Fs.existsSync(CHROMIUM) || process.env.CACHET_REQUIRE_SERVERS === "1") return undefined
  const reason = `${CHROMIUM} not found (apt-get install chromium, or set CACHET_REQUIRE_SERVERS=1 to fail instead)`
  process.stderr.write(`[cachet] skipping inspector browser tests: ${reason}\n`)
  return reason
})()

/**
 * The stores besides memory (the main server's), each with how to get one; those whose server binary is missing are
 * left out (`skipReason` prints why).
 */
const otherStores = ([
  [
    "sqlite",
    async () => ({
      store: `sqlite:${Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "cachet-inspector-")), "cache.db")}`
    })
  ],
  [
    "redis",
    async (scope: Scope.Scope) => ({ store: (await Effect.runPromise(Scope.extend(Servers.redis, scope))).url })
  ],
  [
    "memcached",
    async (scope: Scope.Scope) => ({
      store: `memcached://${(await Effect.runPromise(Scope.extend(Servers.memcached, scope))).url}`
    })
  ]
] as const).filter(([kind]) => kind === "sqlite" || Servers.skipReason(kind) === undefined)

interface Summary {
  readonly key: string
  readonly tags: ReadonlyArray<string>
}

describe.skipIf(skip !== undefined)("inspector in Chromium", () => {
  let server: Server
  let browser: Browser
  let page: Page
  const errors: Array<string> = []

  /** Every entry with its tags, read key by key through the REST admin API (not the page's search). */
  const allEntries = async (): Promise<ReadonlyArray<Summary>> => {
    const { keys } = (await server.get("/cache/entries?limit=10000", AUTH)).json as { keys: ReadonlyArray<string> }
    const infos = await Promise.all(keys.map((key) => server.get(`/cache/entries/${encodeURIComponent(key)}`, AUTH)))
    return infos.filter((info) => info.status === 200).map((info) => info.json as Summary)
  }

  const rowKeys = (): Promise<ReadonlyArray<string>> =>
    page.locator("table.entries tbody tr").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-key") ?? ""))

  const searchTag = async (tag: string, expected: number): Promise<void> => {
    await page.locator("a.tab", { hasText: "Entries" }).click()
    await page.locator("input[name=tag]").fill(tag)
    await page.locator("input[name=tag]").press("Enter")
    await page.waitForFunction(
      ([tag, expected]) =>
        document.querySelector(".result-status")?.dataset["total"] === String(expected) &&
        document.querySelector(".tag-bar code")?.textContent === tag &&
        document.querySelectorAll("table.entries tbody tr").length === expected,
      [tag, expected] as const
    )
  }

  beforeAll(async () => {
    server = await start(testEnv({ CACHET_NAMESPACE: "blog" }))
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync"
      ]
    })
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: "light" })
    page = await context.newPage()
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text())
    })
    page.on("pageerror", (error) => errors.push(error.message))
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it("GET / links the inspector, the docs and the API; JSON clients keep a JSON answer", async () => {
    const json = await server.get("/", { accept: "application/json" })
    expect(json.headers.get("content-type")).toContain("application/json")
    expect(json.json.links).toMatchObject({ inspector: "/inspector", docs: "/docs", openapi: "/openapi.json" })
    await page.goto(`${server.url}/`)
    expect(await page.locator("a[href='/docs']").count()).toBe(1)
    await page.locator("a[href='/inspector']").click()
    await page.waitForURL(`${server.url}/inspector`)
  })

  it("loads without console errors and asks for the token; a wrong token shows the error", async () => {
    await page.locator("input#token").waitFor()
    expect(errors).toEqual([])
    expect(await page.locator("h1#login-title").textContent()).toBe("Admin token")
    await page.locator("input#token").fill("not-the-token")
    await page.locator("input#token").press("Enter")
    await page.locator("#token-error", { hasText: "401" }).waitFor()
    expect(await page.locator("#token-error").textContent()).toContain("refused this token")
    expect(await page.evaluate(() => sessionStorage.getItem("cachet.inspector.token"))).toBeNull()
    // Chromium reports the refused request itself (the server's 401) on the console; nothing else may be there.
    expect(errors.filter((error) => !/status of 401/.test(error))).toEqual([])
  })

  it("on a server without an admin token the page says every token is refused (403)", async () => {
    const tokenless = await start(testEnv({ CACHET_ADMIN_TOKEN: undefined }))
    try {
      const other = await page.context().newPage()
      await other.goto(`${tokenless.url}/inspector#token=anything`)
      await other.locator("#token-error", { hasText: "403" }).waitFor()
      expect(await other.locator("#token-error").textContent()).toContain("admin token")
      expect(other.url()).toBe(`${tokenless.url}/inspector`)
      await other.close()
    } finally {
      await tokenless.close()
    }
  })

  it.each(otherStores)("on the %s store the page lists what was read", async (_kind, serve) => {
    const scope = Effect.runSync(Scope.make())
    const other = await start(testEnv({ CACHET_STORE: (await serve(scope)).store }))
    try {
      for (const path of ["/posts/1", "/posts/2", "/users/3"]) expect((await other.get(path)).status).toBe(200)
      const tab = await page.context().newPage()
      await tab.goto(`${other.url}/inspector#token=${TOKEN}`)
      await tab.locator("[data-card=entries]", { hasText: "3" }).waitFor()
      await tab.locator(".recent table.entries tbody tr").nth(2).waitFor()
      expect((await tab.locator("[data-card=store]").textContent()) ?? "").not.toBe("memory")
      await tab.close()
    } finally {
      await other.close()
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }
  })

  it("after a few reads, the overview shows the entries and the hit ratio of /cache/stats", async () => {
    for (const path of ["/posts/1", "/posts/1", "/posts/2", "/users/1", "/users/1", "/users/1", "/posts?limit=5"]) {
      expect((await server.get(path)).status).toBe(200)
    }
    const stats = (await server.get("/cache/stats", AUTH)).json as { hitRatio: number; hits: number }
    expect(stats.hitRatio).toBeGreaterThan(0)
    const entries = (await allEntries()).length

    await page.locator("input#token").fill(TOKEN)
    await page.locator("input#token").press("Enter")
    await page.waitForFunction(
      ([ratio, entries]) =>
        document.querySelector("[data-card=hit-ratio]")?.dataset["value"] === String(ratio) &&
        document.querySelector("[data-card=entries]")?.textContent === String(entries),
      [stats.hitRatio, entries] as const
    )
    expect(await page.locator("[data-card=hit-ratio]").textContent()).toBe(`${(stats.hitRatio * 100).toFixed(1)} %`)
    expect(await page.locator("[data-card=store]").textContent()).toBe("memory")
    expect(await page.locator(".recent table.entries tbody tr").count()).toBe(Math.min(entries, 10))
    expect(await page.evaluate(() => sessionStorage.getItem("cachet.inspector.token"))).toBe(TOKEN)
    await page.locator(".live[data-status=live]").waitFor()
  })

  it("searching a tag lists exactly its entries; expiring it turns them stale (REST: STALE); invalidating, to invalidated", async () => {
    // Post 1 as a whole: GET /posts/1 (its fields and comments) and every list showing it.
    const tag = "Post/1"
    expect((await allEntries()).some((entry) => entry.tags.includes(`${tag}/comments`))).toBe(true)
    const expected = (await allEntries())
      .filter((entry) => entry.tags.some((t) => t === tag || t.startsWith(`${tag}/`)))
      .map((entry) => entry.key)
      .sort()
    expect(expected.length).toBeGreaterThan(0)

    await searchTag(tag, expected.length)
    expect([...(await rowKeys())].sort()).toEqual(expected)
    expect(await page.locator("table.entries tbody tr[data-state=fresh]").count()).toBe(expected.length)

    await page.locator(".tag-bar button", { hasText: "Expire" }).click()
    await expect(page.locator("dialog p").textContent()).resolves.toContain(`covers ${expected.length} `)
    await page.locator("dialog button[value=ok]").click()
    await page.waitForFunction(
      (n) => document.querySelectorAll("table.entries tbody tr[data-state=stale]").length === n,
      expected.length
    )
    expect((await server.get("/posts/1")).cache).toBe("STALE")

    await searchTag(tag, expected.length)
    await page.locator(".tag-bar button", { hasText: "Invalidate" }).click()
    await page.locator("dialog button[value=ok]").click()
    await page.waitForFunction(
      (n) => document.querySelectorAll("table.entries tbody tr[data-state=invalidated]").length === n,
      expected.length
    )
  })

  it("a row opens with the keyboard, its value shown as pretty JSON", async () => {
    await page.locator("a.tab", { hasText: "Entries" }).click()
    await page.locator("input[name=prefix]").fill("")
    await page.locator("input[name=tag]").fill("")
    await page.locator("input[name=tag]").press("Enter")
    const row = page.locator("table.entries tbody tr").first()
    await row.focus()
    await page.keyboard.press("Enter")
    await page.locator("pre.value").waitFor()
    const text = (await page.locator("pre.value").textContent()) ?? ""
    expect(text).toContain("\n  ")
    await page.keyboard.press("Enter") // the focused "Close" button
    await page.locator("section.panel[hidden]").first().waitFor({ state: "attached" })
  })

  it("a large value is cut, and \"Show all\" shows it whole", async () => {
    expect((await server.get("/posts?limit=100")).status).toBe(200)
    await page.locator("a.tab", { hasText: "Entries" }).click()
    await page.locator("input[name=prefix]").fill("feed:")
    await page.locator("input[name=prefix]").press("Enter")
    await page.locator("table.entries tbody tr[data-key*='\"limit\":100']").click()
    const button = page.locator("button", { hasText: "Show all" })
    await button.waitFor()
    const cut = (await page.locator("pre.value").textContent()) ?? ""
    expect(cut.endsWith("…")).toBe(true)
    await button.click()
    const whole = (await page.locator("pre.value").textContent()) ?? ""
    expect(whole.length).toBeGreaterThan(cut.length)
    expect(JSON.parse(whole)).toBeTypeOf("object")
  })

  it("the event feed shows an invalidation made through the REST API within a second", async () => {
    await page.locator("a.tab", { hasText: "Events" }).click()
    await page.locator(".live[data-status=live]").waitFor()
    const response = await server.post("/cache/invalidate", { tags: ["User/7"] }, AUTH)
    expect(response.status).toBe(200)
    await page.locator(".feed .event-invalidation", { hasText: "User/7" }).waitFor({ timeout: 1000 })
    await page.locator("button", { hasText: "Pause" }).click()
    await server.post("/cache/invalidate", { tags: ["User/8"], soft: true }, AUTH)
    await page.locator("button", { hasText: "Resume (1 new)" }).waitFor()
    expect(await page.locator(".feed .event-expiry", { hasText: "User/8" }).count()).toBe(0)
    await page.locator("button", { hasText: "Resume" }).click()
    await page.locator(".feed .event-expiry", { hasText: "User/8" }).waitFor()
  })

  it("is readable at phone width (nothing wider than the screen)", async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    try {
      for (const tab of ["Overview", "Entries", "Tags", "Events", "Graph"]) {
        await page.locator("a.tab", { hasText: tab }).click()
        await page.locator("a.tab[aria-current=page]", { hasText: tab }).waitFor()
        expect([tab, await page.evaluate(() => document.documentElement.scrollWidth)]).toEqual([tab, 390])
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 })
    }
  })

  it("writes a non-blank screenshot of the overview on a live chart", async () => {
    await page.locator("a.tab", { hasText: "Overview" }).click()
    const points = () =>
      page.evaluate(() => document.querySelector(".serie-hits")?.getAttribute("points")?.split(" ").length ?? 0)
    // A few seconds of traffic, one batch per tick the server pushes (waiting on the chart, not a clock).
    for (let second = 0; second < 12; second++) {
      const before = await points()
      const reads = Array.from({ length: 4 + (second % 5) * 3 }, (_, i) => `/posts/${1 + ((i * 7 + second) % 20)}`)
      if (second % 4 === 2) await server.post("/cache/invalidate", { tags: ["User"], soft: true }, AUTH)
      await Promise.all([...reads, `/users/${1 + (second % 6)}`].map((path) => server.get(path)))
      await page.waitForFunction(
        (n) => (document.querySelector(".serie-hits")?.getAttribute("points")?.split(" ").length ?? 0) > n,
        before
      )
    }
    Fs.mkdirSync(Path.dirname(SCREENSHOT), { recursive: true })
    const png = await page.screenshot({ path: SCREENSHOT })
    expect(png.length).toBeLessThan(300 * 1024)
    const colours = await page.evaluate(async (data) => {
      const image = new Image()
      image.src = `data:image/png;base64,${data}`
      await image.decode()
      const canvas = document.createElement("canvas")
      canvas.width = image.width
      canvas.height = image.height
      const context = canvas.getContext("2d")!
      context.drawImage(image, 0, 0)
      const pixels = context.getImageData(0, 0, image.width, image.height).data
      const seen = new Set<number>()
      for (let i = 0; i < pixels.length; i += 4 * 97) {
        seen.add((pixels[i]! << 16) | (pixels[i + 1]! << 8) | pixels[i + 2]!)
      }
      return { width: image.width, height: image.height, colours: seen.size }
    }, png.toString("base64"))
    expect(colours).toMatchObject({ width: 1280, height: 800 })
    expect(colours.colours).toBeGreaterThan(20)
    expect(errors.filter((error) => !/status of 401/.test(error))).toEqual([])
    expect(errors.length).toBeLessThanOrEqual(1)
  })
})
