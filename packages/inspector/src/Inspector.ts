/**
 * The cache inspector: a live web page over the admin group of `@cachet/api` (`/cache/*`),
 * mounted on an `HttpApiBuilder` server beside its API, like `HttpApiSwagger`:
 *
 * ```ts
 * HttpApiBuilder.serve().pipe(Layer.provide(Inspector.layer({ path: "/inspector" })), ...)
 * ```
 *
 * The page is built from its TypeScript sources with esbuild when the layer is built and
 * served from memory (nothing is fetched from a CDN; it works offline). It asks for the admin
 * token once and keeps it for the tab (`sessionStorage`); `/inspector#token=…` logs in
 * directly — a fragment never reaches the server or its logs.
 *
 * @since 0.1.0
 */
import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Data, Effect, Layer } from "effect"

import * as bundle from "./internal/bundle.js"
import * as Html from "./internal/html.js"

/**
 * The page's sources could not be built (esbuild failed or is missing).
 *
 * @since 0.1.0
 * @category errors
 */
export class InspectorBuildError extends Data.TaggedError("InspectorBuildError")<{ readonly message: string }> {}

/**
 * Where the page lives and where it finds the admin API.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The page's path (default `/inspector`); its assets are served below it. */
  readonly path?: `/${string}` | undefined
  /** The URL prefix of the admin group's `/cache/*` endpoints (default: the same server, `""`). */
  readonly api?: string | undefined
  /** The page's title (default `Cachet inspector`). */
  readonly title?: string | undefined
  /** Minify the script (default true). */
  readonly minify?: boolean | undefined
}

/**
 * The built page: its script and stylesheet.
 *
 * @since 0.1.0
 * @category models
 */
export type Assets = bundle.Assets

/**
 * Builds the page's script and stylesheet in memory.
 *
 * @since 0.1.0
 * @category constructors
 */
export const build = (
  options: { readonly minify?: boolean | undefined } = {}
): Effect.Effect<Assets, InspectorBuildError> =>
  bundle.build(options.minify ?? true).pipe(
    Effect.mapError((error) => new InspectorBuildError({ message: error.message })),
    Effect.withSpan("Inspector.build")
  )

/**
 * The page's HTML shell: it loads the script and stylesheet served below `path`.
 *
 * @since 0.1.0
 * @category utils
 */
export const html = (options: { readonly path: string; readonly api: string; readonly title: string }): string =>
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${Html.escape(options.title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${Html.escape(options.path)}/assets/style.css">
<script defer src="${Html.escape(options.path)}/assets/app.js"></script>
</head>
<body data-api="${Html.escape(options.api)}" data-title="${Html.escape(options.title)}">
<noscript>The Cachet inspector needs JavaScript.</noscript>
<div id="app"></div>
</body>
</html>
`

const securityHeaders = {
  "cache-control": "no-cache",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src " +
    "*; frame-ancestors 'none'"
}

/**
 * Serves the inspector at `path` (and its assets below it) on the `HttpApiBuilder` router.
 * The page reads the admin group (`/cache/*`): the server must serve `@cachet/api`'s
 * `CacheApi` group for it to show anything, and `@cachet/api/CacheGraph`'s `CacheGraphApi` for its
 * graph view. The page is built once, in the background from
 * the moment the layer is built (so the server's routes are installed at once); the first
 * request for an asset waits for it, and a failed build answers 500 and is logged.
 *
 * @example
 * ```ts
 * import { CacheAdmin, CacheApi } from "@cachet/api"
 * import { Cache, MemoryStore } from "@cachet/core"
 * import { Inspector } from "@cachet/inspector"
 * import { HttpApi, HttpApiBuilder } from "@effect/platform"
 * import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
 * import { Effect, Layer } from "effect"
 * import { createServer } from "node:http"
 *
 * class Api extends HttpApi.make("app").add(CacheApi.CacheApi) {}
 *
 * // The page reads the admin group, so the server serves it too.
 * const CacheAdminLive = HttpApiBuilder.group(Api, "cache", (handlers) =>
 *   Effect.map(CacheAdmin.handlers, (admin) =>
 *     handlers
 *       .handle("stats", admin.stats)
 *       .handle("entries", admin.entries)
 *       .handle("entry", admin.entry)
 *       .handle("deleteEntry", admin.deleteEntry)
 *       .handle("invalidate", admin.invalidate)
 *       .handle("clear", admin.clear)
 *       .handle("search", admin.search)
 *       .handle("tags", admin.tags)
 *       .handleRaw("events", admin.events)))
 *
 * HttpApiBuilder.serve().pipe(
 *   Layer.provide(Inspector.layer({ path: "/inspector" })), // http://localhost:3000/inspector
 *   Layer.provide(HttpApiBuilder.api(Api)),
 *   Layer.provide(CacheAdminLive),
 *   Layer.provide(CacheAdmin.layerAuthConfig()), // token: CACHET_ADMIN_TOKEN
 *   Layer.provide(Cache.layer().pipe(Layer.provide(MemoryStore.layer()))),
 *   Layer.provide(NodeHttpServer.layer(createServer, { port: 3000 })),
 *   Layer.launch,
 *   NodeRuntime.runMain
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<never> =>
  HttpApiBuilder.Router.use((router) =>
    Effect.gen(function*() {
      const path = options.path ?? "/inspector"
      const assets = yield* Effect.cached(
        build({ minify: options.minify }).pipe(
          Effect.tap((assets) =>
            Effect.logDebug("inspector built").pipe(Effect.annotateLogs({ path, scriptBytes: assets.script.length }))
          ),
          Effect.tapError((error) =>
            Effect.logError("inspector build failed").pipe(Effect.annotateLogs("error", error.message))
          )
        )
      )
      yield* Effect.forkDaemon(Effect.ignore(assets))
      const asset = (contentType: string, pick: (assets: Assets) => string) =>
        assets.pipe(
          Effect.map((built) => HttpServerResponse.text(pick(built), { contentType, headers: securityHeaders })),
          Effect.catchAll((error) =>
            HttpServerResponse.text(`the inspector could not be built: ${error.message}`, { status: 500 })
          )
        )
      const page = HttpServerResponse.text(
        html({ path, api: options.api ?? "", title: options.title ?? "Cachet inspector" }),
        {
          contentType: "text/html; charset=utf-8",
          headers: securityHeaders
        }
      )
      yield* router.get(path, Effect.succeed(page))
      yield* router.get(`${path}/assets/app.js`, asset("text/javascript; charset=utf-8", (built) => built.script))
      yield* router.get(`${path}/assets/style.css`, asset("text/css; charset=utf-8", (built) => built.style))
    })
  )

/**
 * The link that opens the inspector logged in: the token travels in the fragment, which
 * browsers never send to the server.
 *
 * @since 0.1.0
 * @category utils
 */
export const link = (
  baseUrl: string,
  options: { readonly path?: string | undefined; readonly token?: string | undefined } = {}
): string =>
  `${baseUrl}${options.path ?? "/inspector"}${
    options.token === undefined || options.token === "" ? "" : `#token=${encodeURIComponent(options.token)}`
  }`
