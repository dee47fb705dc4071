/**
 * The docs site in a browser: the API reference is generated, VitePress builds the site into a
 * temporary directory, a small static server serves it on a loopback port, and Debian's chromium
 * crawls every page. Every page loads with no console error, no page error and no request leaving
 * the site; every internal link reaches a page that exists (and its #anchor, if any); the local
 * search finds "grace".
 *
 * About 70 s of CPU (TypeDoc ~10 s, the VitePress build ~30 s, the crawl ~25 s): under a
 * loaded machine it takes minutes, hence the long timeouts.
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { type Browser, chromium } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { root } from "../api.js"

const executablePath = "/usr/bin/chromium"
const missing = !Fs.existsSync(executablePath)
if (missing) {
  if (process.env.CACHET_REQUIRE_SERVERS === "1") {
    throw new Error(`${executablePath} is required (CACHET_REQUIRE_SERVERS=1)`)
  }
  process.stdout.write(`skipping the docs site browser test: ${executablePath} not found\n`)
}

/** Runs a command to completion; its output is in the error when it fails. */
const exec = (args: ReadonlyArray<string>): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = ChildProcess.spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    child.stdout.on("data", (chunk) => (output += chunk))
    child.stderr.on("data", (chunk) => (output += chunk))
    child.on("error", reject)
    child.on(
      "exit",
      (code) => code === 0 ? resolve() : reject(new Error(`${args.join(" ")} exited ${code}:\n${output}`))
    )
  })

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".ico": "image/x-icon",
  ".txt": "text/plain"
}

/** The file a URL path is served from, with VitePress's clean URLs (`/a/b` → `a/b.html`, `/a/` → `a/index.html`). */
const fileFor = (dir: string, pathname: string): string | undefined => {
  const decoded = decodeURIComponent(pathname)
  const candidates = decoded.endsWith("/")
    ? [Path.join(dir, decoded, "index.html")]
    : [Path.join(dir, decoded), Path.join(dir, `${decoded}.html`)]
  return candidates.find((file) => file.startsWith(dir) && Fs.existsSync(file) && Fs.statSync(file).isFile())
}

/** A static server for the built site: 200 with the file, or 404 with the site's 404 page. */
const serve = (dir: string): Promise<Http.Server> =>
  new Promise((resolve) => {
    const server = Http.createServer((request, response) => {
      const { pathname } = new URL(request.url ?? "/", "http://localhost")
      const file = fileFor(dir, pathname)
      const status = file === undefined ? 404 : 200
      const body = Fs.readFileSync(file ?? Path.join(dir, "404.html"))
      response.writeHead(status, { "content-type": types[Path.extname(file ?? ".html")] ?? "application/octet-stream" })
      response.end(body)
    })
    server.listen(0, "127.0.0.1", () => resolve(server))
  })

/** The URL path of each built page (`index.html` → `/`, `a/b.html` → `/a/b`). */
const pagesOf = (dir: string): Array<string> => {
  const pages: Array<string> = []
  const walk = (sub: string): void => {
    for (const entry of Fs.readdirSync(Path.join(dir, sub), { withFileTypes: true })) {
      const relative = Path.posix.join(sub, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== "assets") walk(relative)
      } else if (entry.name.endsWith(".html") && relative !== "404.html") {
        pages.push("/" + relative.replace(/(^|\/)index\.html$/, "$1").replace(/\.html$/, ""))
      }
    }
  }
  walk("")
  return pages.sort()
}

/** The `id`s of a page's elements, as the static HTML has them. */
const idsOf = (html: string): Set<string> => new Set([...html.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]!))

describe.skipIf(missing)("the docs site in a browser", () => {
  const outDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cachet-docs-"))
  let server: Http.Server
  let origin: string
  let browser: Browser

  beforeAll(async () => {
    await exec(["--import", "tsx", "scripts/docs/api.ts"])
    await exec([Path.join(root, "node_modules/vitepress/bin/vitepress.js"), "build", "docs", "--outDir", outDir])
    server = await serve(outDir)
    origin = `http://127.0.0.1:${(server.address() as Net.AddressInfo).port}`
    browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] })
  }, 600_000)

  afterAll(async () => {
    await browser?.close()
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
    Fs.rmSync(outDir, { recursive: true, force: true })
  })

  it("every page loads clean, and every internal link and anchor resolves", async () => {
    const pages = pagesOf(outDir)
    expect(pages).toContain("/")
    expect(pages).toContain("/api/")
    const problems: Array<string> = []
    const links = new Map<string, Set<string>>() // target → the pages linking to it
    const context = await browser.newContext()
    const page = await context.newPage()
    let current = ""
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`${current}: console error: ${message.text()}`)
    })
    page.on("response", (response) => {
      if (response.status() >= 400) problems.push(`${current}: ${response.status()} for ${response.url()}`)
    })
    page.on("pageerror", (error) => problems.push(`${current}: page error: ${error.message}`))
    page.on("request", (request) => {
      const url = request.url()
      if (!url.startsWith(origin) && !/^(data|blob|about):/.test(url)) {
        problems.push(`${current}: external request ${url}`)
      }
    })
    for (const path of pages) {
      current = path
      const response = await page.goto(origin + path, { waitUntil: "load" })
      if (response?.status() !== 200) problems.push(`${path}: status ${response?.status()}`)
      const hrefs = await page.$$eval(
        "a[href]",
        (anchors) => anchors.map((a) => (a as unknown as { readonly href: string }).href)
      )
      for (const href of hrefs) {
        if (!href.startsWith(origin)) continue
        const set = links.get(href) ?? new Set<string>()
        set.add(path)
        links.set(href, set)
      }
    }
    await context.close()

    const ids = new Map<string, Set<string> | undefined>() // page path → its ids (undefined: not a page)
    for (const [href, from] of links) {
      const url = new URL(href)
      if (!ids.has(url.pathname)) {
        const response = await fetch(origin + url.pathname)
        ids.set(url.pathname, response.status === 200 ? idsOf(await response.text()) : undefined)
      }
      const targetIds = ids.get(url.pathname)
      const where = [...from].slice(0, 3).join(", ")
      if (targetIds === undefined) problems.push(`broken link ${url.pathname} (from ${where})`)
      else if (url.hash.length > 1 && !targetIds.has(decodeURIComponent(url.hash.slice(1)))) {
        problems.push(`missing anchor ${url.pathname}${url.hash} (from ${where})`)
      }
    }
    expect(problems, problems.join("\n")).toEqual([])
  }, 300_000)

  it("the local search finds \"grace\"", async () => {
    const page = await browser.newPage()
    try {
      await page.goto(origin + "/", { waitUntil: "load" })
      await page.click(".DocSearch-Button")
      await page.fill("#localsearch-input", "grace")
      const first = page.locator("#localsearch-list .result").first()
      await first.waitFor({ timeout: 20_000 })
      expect(await page.locator("#localsearch-list .result").count()).toBeGreaterThan(0)
      expect((await first.textContent())?.toLowerCase()).toContain("grace")
    } finally {
      await page.close()
    }
  }, 60_000)
})
