import { spawn, spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"

import { Servers } from "@cachet/core/testing"

const here = Path.dirname(fileURLToPath(import.meta.url))
const packageDir = Path.resolve(here, "..")
const root = Path.resolve(packageDir, "../..")

/** Runs node with arguments; the exit code and output, or a failure if it has not exited after `limit` ms. */
const runNode = (args: ReadonlyArray<string>, limit = 60_000) =>
  new Promise<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: packageDir, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => stdout += String(chunk))
    child.stderr.on("data", (chunk) => stderr += String(chunk))
    // A watchdog, not a wait: a process that does not exit is the failure under test.
    const watchdog = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`node ${args.join(" ")} did not exit within ${limit} ms\n${stdout}\n${stderr}`))
    }, limit)
    child.on("exit", (code) => {
      clearTimeout(watchdog)
      resolve({ code, stdout, stderr })
    })
  })

const fromSource = ["--conditions=@cachet/source", "--import", "tsx", Path.join(here, "fixtures", "closeAndExit.ts")]

describe("close() lets the process exit", () => {
  it("on the memory store", async () => {
    const { code, stderr, stdout } = await runNode([...fromSource, "memory"])
    expect(stderr).toBe("")
    expect(stdout).toContain("closed")
    expect(code).toBe(0)
  })

  const skip = Servers.skipReason("redis")
  describe.skipIf(skip !== undefined)("on Redis", () => {
    const scope = Effect.runSync(Scope.make())
    let url = ""
    beforeAll(async () => {
      url = (await Effect.runPromise(Scope.extend(Servers.redis, scope))).url
    })
    afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))

    it("plain and tiered (with its bus subscription)", async () => {
      for (const tiered of ["plain", "tiered"]) {
        const { code, stdout } = await runNode([...fromSource, url, tiered])
        expect(stdout).toContain("closed")
        expect(code).toBe(0)
      }
    })
  })
})

/** The packages the built `@cachet/promise` loads, in build order. */
const builtPackages = ["core", "memcached", "redis", "sqlite", "stores", "promise"]

describe("the built package", () => {
  beforeAll(() => {
    // Build what is missing, and always this package (so the check runs on the current code).
    for (const name of builtPackages) {
      const dir = Path.join(root, "packages", name)
      if (name !== "promise" && Fs.existsSync(Path.join(dir, "dist", "index.js"))) continue
      const built = spawnSync(process.execPath, [
        Path.join(root, "node_modules/typescript/bin/tsc"),
        "-p",
        "tsconfig.build.json"
      ], {
        cwd: dir,
        encoding: "utf8"
      })
      if (built.status !== 0) throw new Error(`build of ${name} failed:\n${built.stdout}${built.stderr}`)
    }
  }, 300_000)

  const program = `
    cache.getOrSet(["k"], () => 41 + 1, { tags: "t" }).then(async (value) => {
      process.stdout.write(String(value) + " " + (cache.get instanceof Function) + "\\n")
      await cache.close()
    })`

  it("loads with CommonJS require (require(esm), no top-level await) and exits after close", async () => {
    const { code, stdout } = await runNode([
      "-e",
      `const { createCache, PromiseCache } = require("@cachet/promise")
       if (typeof PromiseCache.CacheClosedError !== "function") throw new Error("namespace missing")
       const cache = createCache()
       ${program}`
    ])
    expect(stdout).toBe("42 true\n")
    expect(code).toBe(0)
  })

  it("loads with ESM import", async () => {
    const { code, stdout } = await runNode([
      "--input-type=module",
      "-e",
      `import { createCache } from "@cachet/promise"
       const cache = createCache()
       ${program}`
    ])
    expect(stdout).toBe("42 true\n")
    expect(code).toBe(0)
  })
})
