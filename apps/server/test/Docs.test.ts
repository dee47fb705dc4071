/**
 * The API docs still work under their Content-Security-Policy: Swagger UI renders in a real
 * browser (Debian's chromium) and the browser reports no policy violation.
 */
import * as Fs from "node:fs"

import { chromium } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

import { type Server, start, testEnv } from "./harness.js"

const executablePath = "/usr/bin/chromium"
const missing = !Fs.existsSync(executablePath)
if (missing) {
  if (process.env.CACHET_REQUIRE_SERVERS === "1") {
    throw new Error(`${executablePath} is required (CACHET_REQUIRE_SERVERS=1)`)
  }
  process.stdout.write(`skipping the docs browser test: ${executablePath} not found\n`)
}

describe.skipIf(missing)("/docs in a browser", () => {
  let server: Server
  beforeAll(async () => {
    server = await start(
      testEnv({ CACHET_SEED_USERS: "2", CACHET_SEED_POSTS: "2", CACHET_SEED_COMMENTS: "2", CACHET_LOG_LEVEL: "None" })
    )
  })
  afterAll(() => server?.close())

  it("Swagger UI renders every operation with no CSP violation", async () => {
    const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] })
    try {
      const page = await browser.newPage()
      const violations: Array<string> = []
      page.on("console", (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text())
      })
      page.on("pageerror", (error) => violations.push(error.message))
      const response = await page.goto(`${server.url}/docs`)
      expect(response?.headers()["content-security-policy"]).toContain("default-src 'none'")
      await page.waitForSelector(".opblock", { timeout: 20_000 })
      expect(await page.locator(".opblock").count()).toBeGreaterThan(10)
      expect(violations).toEqual([])
    } finally {
      await browser.close()
    }
  }, 60_000)
})
