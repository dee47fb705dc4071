/**
 * The `http` section: what a cached read costs over HTTP, next to what the framework costs to
 * send bytes. Seven servers, each in its own process on loopback, measured one after the other
 * in one run by autocannon (20 connections, 3 warm-up seconds, then 5 seconds each; set
 * `HTTP_BENCH_SECONDS` to change): plain `node:http` answering a fixed body, a bare
 * `@effect/platform` `HttpRouter` answering the same body, the reference app's `GET /posts/42`
 * cached (`X-Cache: HIT`) and with `CACHET_ENABLED=false`, each with its front door (the
 * default) and with `CACHET_FRONT_DOOR=false`, and the same read on a plain `HttpRouter` cached
 * by `@cachet/http`'s middleware (`apps/server/scripts/routerServer.ts`). The fixed body is the
 * app's own response to `GET /posts/42`.
 *
 * Run directly (`node dist/http.js serve node|router`, with `PORT` and `BODY`) it is one of the
 * two fixed-body servers.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

import { HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import autocannon from "autocannon"
import { Layer } from "effect"

const here = fileURLToPath(import.meta.url)
const serverDir = Path.resolve(Path.dirname(here), "..", "..", "server")
const seconds = Number(process.env.HTTP_BENCH_SECONDS ?? "5")
const connections = 20
const path = "/posts/42"

/** One server's figures. */
export interface Figures {
  readonly name: string
  readonly rps: number
  readonly p50: number
  readonly p99: number
  /** The server process's CPU time per request, in µs (Linux `/proc`; `undefined` elsewhere). */
  readonly cpuMicros: number | undefined
  readonly non2xx: number
  readonly errors: number
}

/** CPU time (user + system) a process has used, in µs, from `/proc/<pid>/stat` (clock ticks of 10 ms). */
const cpuMicrosOf = (pid: number | undefined): number | undefined => {
  if (pid === undefined) return undefined
  try {
    const fields = Fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
    return (Number(fields[11]) + Number(fields[12])) * 10_000
  } catch {
    return undefined
  }
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = Net.createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

interface Child {
  readonly url: string
  readonly process: ChildProcess
}

const waitReady = async (url: string, child: ChildProcess): Promise<void> => {
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server at ${url} exited with ${child.exitCode}`)
    const ok = await fetch(`${url}/health`).then((response) => response.ok, () => false)
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`server at ${url} did not answer /health within 120 s`)
}

const start = async (args: ReadonlyArray<string>, cwd: string, env: Record<string, string>): Promise<Child> => {
  const port = await freePort()
  const child = spawn(process.execPath, args, {
    cwd,
    env: {
      ...process.env,
      CACHET_LOG_LEVEL: "warn",
      CACHET_HOST: "127.0.0.1",
      CACHET_PORT: String(port),
      // the plain baseline servers of this file (`serve`)
      PORT: String(port),
      ...env
    },
    stdio: ["ignore", "ignore", "inherit"]
  })
  const url = `http://127.0.0.1:${port}`
  try {
    await waitReady(url, child)
  } catch (error) {
    await stop({ url, process: child })
    throw error
  }
  return { url, process: child }
}

const stop = (child: Child): Promise<void> =>
  new Promise((resolve) => {
    if (child.process.exitCode !== null || child.process.signalCode !== null) return resolve()
    const kill = setTimeout(() => child.process.kill("SIGKILL"), 15_000)
    child.process.once("exit", () => {
      clearTimeout(kill)
      resolve()
    })
    child.process.kill("SIGTERM")
  })

const tsx = ["--conditions=@cachet/source", "--import", "tsx"]

const load = async (name: string, child: Child, duration: number): Promise<Figures> => {
  const before = cpuMicrosOf(child.process.pid)
  const result = await autocannon({ url: child.url + path, connections, duration })
  const after = cpuMicrosOf(child.process.pid)
  return {
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMicros: before === undefined || after === undefined
      ? undefined
      : (after - before) / Math.max(result.requests.total, 1),
    non2xx: result.non2xx,
    errors: result.errors
  }
}

/** Warm-up seconds (the JIT: the app runs from TypeScript sources through tsx), then the measured run. */
const measure = async (name: string, child: Child, expectCache?: string): Promise<Figures> => {
  if (expectCache !== undefined) {
    const answer = await fetch(child.url + path)
    await answer.arrayBuffer()
    const header = answer.headers.get("x-cache")
    if (header !== expectCache) throw new Error(`${name}: expected X-Cache ${expectCache}, got ${header}`)
  }
  await load(name, child, 3)
  return load(name, child, seconds)
}

/** Runs the seven servers one after the other and returns their figures, in the order above. */
export const run = async (): Promise<ReadonlyArray<Figures>> => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cachet-bench-http-"))
  const database = { CACHET_DATABASE_PATH: Path.join(dir, "blog.db") }
  const children: Array<Child> = []
  const started = async (args: ReadonlyArray<string>, cwd: string, env: Record<string, string>) => {
    const child = await start(args, cwd, env)
    children.push(child)
    return child
  }
  try {
    // The app first: it seeds the database the others read.
    const app = await started([...tsx, "src/main.ts"], serverDir, database)
    const first = await fetch(app.url + path)
    const body = await first.text()
    if (first.status !== 200) throw new Error(`GET ${path}: ${first.status}`)
    const figures: Array<Figures> = []
    const node = await started([here, "serve", "node"], process.cwd(), { BODY: body })
    figures.push(await measure("plain node:http, fixed body", node))
    await stop(node)
    const router = await started([here, "serve", "router"], process.cwd(), { BODY: body })
    figures.push(await measure("bare HttpRouter, same body", router))
    await stop(router)
    figures.push(await measure("reference app, cached (X-Cache: HIT), front door", app, "HIT"))
    await stop(app)
    const off = await started([...tsx, "src/main.ts"], serverDir, { ...database, CACHET_ENABLED: "false" })
    figures.push(await measure("reference app, CACHET_ENABLED=false, front door", off))
    await stop(off)
    const noDoor = { ...database, CACHET_FRONT_DOOR: "false" }
    const appNoDoor = await started([...tsx, "src/main.ts"], serverDir, noDoor)
    await fetch(appNoDoor.url + path).then((response) => response.arrayBuffer())
    figures.push(await measure("reference app, cached (X-Cache: HIT), CACHET_FRONT_DOOR=false", appNoDoor, "HIT"))
    await stop(appNoDoor)
    const offNoDoor = await started([...tsx, "src/main.ts"], serverDir, { ...noDoor, CACHET_ENABLED: "false" })
    figures.push(await measure("reference app, CACHET_ENABLED=false, CACHET_FRONT_DOOR=false", offNoDoor))
    await stop(offNoDoor)
    const middleware = await started([...tsx, "scripts/routerServer.ts"], serverDir, database)
    await fetch(middleware.url + path).then((response) => response.arrayBuffer())
    figures.push(await measure("app's read on a plain HttpRouter, @cachet/http middleware", middleware, "HIT"))
    return figures
  } finally {
    await Promise.all(children.map(stop))
    Fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** The markdown of the section. */
export const section = (figures: ReadonlyArray<Figures>): Array<string> => {
  const [node, router, cached, off, cachedNoDoor, offNoDoor, middleware] = figures
  if (
    node === undefined || router === undefined || cached === undefined || off === undefined ||
    cachedNoDoor === undefined || offNoDoor === undefined || middleware === undefined
  ) return []
  const cpu = (f: Figures) => (f.cpuMicros === undefined ? "n/a" : `${f.cpuMicros.toFixed(0)} µs`)
  const rows = figures.map((f) =>
    `| ${f.name} | ${f.rps.toFixed(0)} | ${f.p50} | ${f.p99} | ${cpu(f)} | ${(f.rps / node.rps * 100).toFixed(0)}% |` +
    (f.non2xx + f.errors > 0 ? ` ${f.non2xx} non-2xx, ${f.errors} errors` : "")
  )
  const check = (ok: boolean) => (ok ? "met" : "**not met**")
  const share = cached.rps / node.rps
  const speedup = cached.rps / off.rps
  const cpuShare = cached.cpuMicros !== undefined && node.cpuMicros !== undefined
    ? ` (by server CPU per request, which a busy machine disturbs less: ${
      (node.cpuMicros / cached.cpuMicros * 100).toFixed(0)
    }%)`
    : ""
  return [
    `## HTTP: a cached read next to the framework's floor (\`GET ${path}\`, ${connections} connections, ` +
    `${seconds} s each, loopback)`,
    "",
    "| server | req/s | p50 ms | p99 ms | server CPU / request | req/s of plain node:http |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
    `- app cached (front door) / plain node:http: ${(share * 100).toFixed(0)}% (goal ≥ 50%: ${
      check(share >= 0.5)
    })${cpuShare}; without the door: ${(cachedNoDoor.rps / node.rps * 100).toFixed(0)}%; the bare router is ${
      (router.rps / node.rps * 100).toFixed(0)
    }% of plain node:http`,
    `- app cached / cache off (front door): ${speedup.toFixed(1)}× (goal ≥ 10×: ${check(speedup >= 10)}); ` +
    `without the door: ${(cachedNoDoor.rps / offNoDoor.rps).toFixed(1)}×`,
    `- p99 app cached (front door): ${cached.p99} ms, plain node:http ${node.p99} ms (goal ≤ node:http + 1 ms: ${
      check(cached.p99 <= node.p99 + 1)
    }); without the door: ${cachedNoDoor.p99} ms`,
    `- the front door on a read it cannot answer (cache off): ${(off.rps / offNoDoor.rps * 100).toFixed(0)}% of ` +
    "the same server without it",
    `- @cachet/http middleware on a plain HttpRouter / bare HttpRouter: ${
      (middleware.rps / router.rps * 100).toFixed(0)
    }%`,
    "- Each server is its own process (the app via tsx, `CACHET_LOG_LEVEL=warn`, default seed), warmed up for 3 " +
    "s; autocannon runs in the bench process. On a shared machine, compare the ratios, not the absolute figures.",
    ""
  ]
}

const serve = (mode: string) => {
  const body = process.env.BODY ?? "{}"
  const port = Number(process.env.PORT ?? "0")
  if (mode === "node") {
    const bytes = Buffer.from(body)
    Http.createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json", "content-length": bytes.length })
      response.end(bytes)
    }).listen(port, "127.0.0.1")
    return
  }
  const bytes = new TextEncoder().encode(body)
  const router = HttpRouter.empty.pipe(
    HttpRouter.get("/posts/:id", HttpServerResponse.uint8Array(bytes, { contentType: "application/json" })),
    HttpRouter.get("/health", HttpServerResponse.text("ok"))
  )
  HttpServer.serve(router).pipe(
    Layer.provide(NodeHttpServer.layer(() => Http.createServer(), { port, host: "127.0.0.1" })),
    Layer.launch,
    NodeRuntime.runMain
  )
}

if (process.argv[1] === here && process.argv[2] === "serve") serve(process.argv[3] ?? "router")
