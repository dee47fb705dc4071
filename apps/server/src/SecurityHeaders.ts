/**
 * Headers every response carries: `X-Content-Type-Options: nosniff` (a browser never guesses
 * a type other than the declared one), and on HTML pages (the API docs) a restrictive
 * `Content-Security-Policy` that allows only the page's own inline scripts and styles (by
 * hash), same-origin requests, and nothing else: no other origin, no framing, no forms.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"

import { BoundedMemo } from "@cachet/core"
import { HttpServerResponse } from "@effect/platform"

const hashes = (html: string, tag: "script" | "style"): ReadonlyArray<string> => {
  const found: Array<string> = []
  const pattern = new RegExp(`<${tag}(\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, "gi")
  for (const match of html.matchAll(pattern)) {
    // Data blocks (`<script type="application/json">`) never run: no hash needed.
    if (tag === "script" && /\stype\s*=\s*["']?application\/(ld\+)?json/i.test(match[1] ?? "")) continue
    found.push(`'sha256-${createHash("sha256").update(match[2]!).digest("base64")}'`)
  }
  return found
}

/**
 * The policy of an HTML page: its inline scripts and styles by hash, images and fonts from
 * the origin or `data:`, requests to the origin only; nothing may frame it, and it has no
 * base URL or form target of its own.
 *
 * @since 0.1.0
 * @category utils
 */
export const contentSecurityPolicy = (html: string): string =>
  [
    "default-src 'none'",
    `script-src ${["'self'", ...hashes(html, "script")].join(" ")}`,
    `style-src ${["'self'", ...hashes(html, "style")].join(" ")}`,
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'"
  ].join("; ")

// Pages are constant values (built once per route), so their policy is computed once.
const policies = BoundedMemo.makeWeak<Uint8Array, string>(1_000)
const decoder = new TextDecoder()

const policyOf = (response: HttpServerResponse.HttpServerResponse): string | undefined => {
  const body = response.body
  if (body._tag !== "Uint8Array") return contentSecurityPolicy("")
  let policy = policies.get(body.body)
  if (policy === undefined) {
    policy = contentSecurityPolicy(decoder.decode(body.body))
    policies.set(body.body, policy)
  }
  return policy
}

const isHtml = (response: HttpServerResponse.HttpServerResponse): boolean =>
  (response.headers["content-type"] ?? (response.body._tag === "Empty" ? undefined : response.body.contentType) ?? "")
    .toLowerCase()
    .startsWith("text/html")

/** The last response headed, and its headed copy. */
const last: {
  response: HttpServerResponse.HttpServerResponse | undefined
  headed: HttpServerResponse.HttpServerResponse
} = {
  response: undefined,
  headed: HttpServerResponse.empty()
}

/**
 * The response with the headers: `nosniff` always, and the page's policy on HTML that has none.
 * A pure function, so the server applies it once per response wherever the response was made
 * (the error responses included) — see `Serve`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const apply = (response: HttpServerResponse.HttpServerResponse): HttpServerResponse.HttpServerResponse => {
  // Responses are values, and a cached hit answers the same one again and again: the last one
  // headed is remembered.
  if (response === last.response) return last.headed
  let headed = HttpServerResponse.setHeader(response, "x-content-type-options", "nosniff")
  if (isHtml(response) && response.headers["content-security-policy"] === undefined) {
    const policy = policyOf(response)
    if (policy !== undefined) headed = HttpServerResponse.setHeader(headed, "content-security-policy", policy)
  }
  last.response = response
  last.headed = headed
  return headed
}
