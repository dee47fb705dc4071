/**
 * A small front page for a server's `/`: links to the inspector, the API docs and the
 * OpenAPI document, so a newcomer's first click lands somewhere. Clients that ask for
 * `application/json` (and not HTML) get the same links as JSON.
 *
 * @since 0.1.0
 */
import { HttpApiBuilder, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Layer } from "effect"

import * as Html from "./internal/html.js"

/**
 * A link of the front page.
 *
 * @since 0.1.0
 * @category models
 */
export interface Link {
  readonly name: string
  readonly href: string
  readonly description: string
}

/**
 * What the front page says.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly title: string
  readonly description?: string | undefined
  readonly links: ReadonlyArray<Link>
  /** Where the page is served (default `/`). */
  readonly path?: `/${string}` | undefined
}

const style = `
:root{color-scheme:light dark;--fg:#1b2330;--muted:#5b6575;--bg:#f6f7f9;--card:#fff;--line:#e2e5ea;--accent:#4f46e5}
@media (prefers-color-scheme:dark){
:root{--fg:#e6e9ef;--muted:#9aa3b2;--bg:#12151b;--card:#1a1f27;--line:#2a303b;--accent:#8b83ff}
}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:40rem;margin:10vh auto;padding:0 1.25rem}h1{font-size:1.75rem;margin:0 0 .25rem}
p{color:var(--muted);margin:0 0 1.5rem}
ul{list-style:none;margin:0;padding:0;display:grid;gap:.75rem}
a{display:block;padding:1rem 1.25rem;background:var(--card);border:1px solid var(--line);border-radius:.75rem;
color:inherit;text-decoration:none}
a:hover,a:focus-visible{border-color:var(--accent);outline:none;
box-shadow:0 0 0 3px color-mix(in srgb,var(--accent) 25%,transparent)}
a strong{color:var(--accent)}a span{display:block;color:var(--muted);font-size:.9rem}`

/**
 * The front page as HTML.
 *
 * @since 0.1.0
 * @category utils
 */
export const html = (options: Options): string =>
  `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${Html.escape(options.title)}</title><link rel="icon" href="data:,"><style>${style}</style></head>
<body><main><h1>${Html.escape(options.title)}</h1>${
    options.description === undefined ? "" : `<p>${Html.escape(options.description)}</p>`
  }
<ul>${
    options.links.map((link) =>
      `<li><a href="${Html.escape(link.href)}"><strong>${Html.escape(link.name)}</strong><span>${
        Html.escape(link.description)
      }</span></a></li>`
    ).join("")
  }</ul></main></body></html>
`

/**
 * Whether an `Accept` header prefers JSON to HTML.
 *
 * @since 0.1.0
 * @category utils
 */
export const prefersJson = (accept: string | undefined): boolean => {
  if (accept === undefined) return false
  const weights = new Map<string, number>()
  for (const part of accept.toLowerCase().split(",")) {
    const [type = "", ...params] = part.trim().split(";")
    const q = params.map((param) => param.trim()).find((param) => param.startsWith("q="))
    weights.set(type.trim(), q === undefined ? 1 : Number(q.slice(2)) || 0)
  }
  const json = weights.get("application/json") ?? 0
  const html = Math.max(
    weights.get("text/html") ?? 0,
    weights.get("*/*") === undefined ? 0 : Math.min(weights.get("*/*")!, 0.99)
  )
  return json > 0 && json >= html
}

/**
 * Serves the front page on the `HttpApiBuilder` router.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<never> =>
  HttpApiBuilder.Router.use((router) => {
    const page = HttpServerResponse.text(html(options), {
      contentType: "text/html; charset=utf-8",
      headers: {
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        "vary": "accept"
      }
    })
    const json = HttpServerResponse.unsafeJson(
      {
        name: options.title,
        ...(options.description === undefined ? {} : { description: options.description }),
        links: Object.fromEntries(
          options.links.map((link) => [link.name.toLowerCase().replace(/[^a-z0-9]+/g, "-"), link.href])
        )
      },
      { headers: { vary: "accept" } }
    )
    return router.get(
      options.path ?? "/",
      Effect.map(
        HttpServerRequest.HttpServerRequest,
        (request) => (prefersJson(request.headers["accept"]) ? json : page)
      )
    )
  })
