/**
 * Starts the real server (the same layers as `main.ts`) on a free loopback port, configured
 * from a map instead of the environment, and talks to it over real HTTP.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

import { HttpServer } from "@effect/platform"
import { Config, ConfigProvider, type Duration, Effect, Exit, Layer, Scope } from "effect"

import { baseUrl, listening } from "../src/Http.js"
import { InFlight } from "../src/Lifecycle.js"

export interface Response {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  /** The body as JSON (undefined when empty). */
  readonly json: any
  readonly cache: string | null
}

export interface Server {
  readonly url: string
  readonly request: (method: string, path: string, options?: {
    readonly body?: unknown
    readonly rawBody?: string
    readonly headers?: Record<string, string>
  }) => Promise<Response>
  readonly get: (path: string, headers?: Record<string, string>) => Promise<Response>
  readonly post: (path: string, body: unknown, headers?: Record<string, string>) => Promise<Response>
  readonly patch: (path: string, body: unknown, headers?: Record<string, string>) => Promise<Response>
  readonly del: (path: string, headers?: Record<string, string>) => Promise<Response>
  /** Requests the server has started and not finished. */
  readonly inFlight: () => number
  /** Resolves once no request is in flight (at most `within`, then it resolves anyway). */
  readonly whenIdle: (within?: Duration.DurationInput) => Promise<void>
  readonly close: () => Promise<void>
}

/** The configuration every test server gets unless overridden: a small seed, quiet logs. */
export const testEnv = (overrides: Record<string, string | undefined> = {}): Record<string, string> => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cachet-blog-"))
  const env: Record<string, string | undefined> = {
    CACHET_DATABASE_PATH: Path.join(dir, "blog.db"),
    CACHET_SEED_USERS: "12",
    CACHET_SEED_POSTS: "60",
    CACHET_SEED_COMMENTS: "200",
    CACHET_ADMIN_TOKEN: "test-token",
    CACHET_LOG_LEVEL: "Warning",
    CACHET_NAMESPACE: `blog-test-${process.pid}-${Date.now()}`,
    ...overrides
  }
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined))
}

/** Starts the app in this process on a free port; `around` is provided under it (e.g. a tracer). */
export const start = async (
  env: Record<string, string>,
  around: Layer.Layer<never> = Layer.empty
): Promise<Server> => {
  const scope = Effect.runSync(Scope.make())
  const layer = listening(Config.succeed({ port: 0, host: "127.0.0.1" })).pipe(
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))),
    Layer.provide(around)
  )
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope)).catch(async (error) => {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    throw error
  })
  const server = Effect.runSync(Effect.provide(HttpServer.HttpServer, context))
  const url = baseUrl(server.address).replace("localhost", "127.0.0.1")
  const inFlight = Effect.runSync(Effect.provide(InFlight, context))

  const request: Server["request"] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers }
    let body: string | undefined = options.rawBody
    if (options.body !== undefined) {
      body = JSON.stringify(options.body)
      headers["content-type"] ??= "application/json"
    }
    const response = await fetch(url + path, { method, headers, ...(body === undefined ? {} : { body }) })
    const text = await response.text()
    let json: unknown = undefined
    try {
      json = text === "" ? undefined : JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: response.status, headers: response.headers, text, json, cache: response.headers.get("x-cache") }
  }
  return {
    url,
    request,
    get: (path, headers) => request("GET", path, headers === undefined ? {} : { headers }),
    post: (path, body, headers) => request("POST", path, { body, ...(headers === undefined ? {} : { headers }) }),
    patch: (path, body, headers) => request("PATCH", path, { body, ...(headers === undefined ? {} : { headers }) }),
    del: (path, headers) => request("DELETE", path, headers === undefined ? {} : { headers }),
    inFlight: () => inFlight.count,
    whenIdle: (within = "5 seconds") => Effect.runPromise(Effect.ignore(Effect.timeout(inFlight.idle.await, within))),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}
