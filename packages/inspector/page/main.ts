/**
 * The inspector page: the token prompt, then the shell (header, tabs, live status) and the
 * views. The token is asked once and kept for the tab only (`sessionStorage`);
 * `#token=…` in the address logs in directly and is removed from the address at once.
 */
import { ApiError, request, type Session, setAuthFailureHandler } from "./api.js"
import type { Context, View, ViewName } from "./context.js"
import { h, replace } from "./dom.js"
import * as Live from "./live.js"
import type { CacheEvent, Stats } from "./types.js"
import * as Entries from "./views/entries.js"
import * as Events from "./views/events.js"
import * as Graph from "./views/graph.js"
import * as Overview from "./views/overview.js"
import * as Tags from "./views/tags.js"

const STORAGE = "cachet.inspector.token"
const root = document.getElementById("app")!
const api = document.body.dataset["api"] ?? ""
const title = document.body.dataset["title"] ?? "Cachet inspector"

const tabs: ReadonlyArray<readonly [ViewName, string]> = [
  ["overview", "Overview"],
  ["entries", "Entries"],
  ["tags", "Tags"],
  ["events", "Events"],
  ["graph", "Graph"]
]

const refusal = (error: ApiError): string =>
  error.status === 403
    ? `The server refuses every token (403): ${error.message}. Start it with an admin token to use the inspector.`
    : error.status === 401
    ? `The server refused this token (401): ${error.message}.`
    : error.message

const storage = {
  get: (): string | null => {
    try {
      return sessionStorage.getItem(STORAGE)
    } catch {
      return null
    }
  },
  set: (token: string | null): void => {
    try {
      if (token === null) sessionStorage.removeItem(STORAGE)
      else sessionStorage.setItem(STORAGE, token)
    } catch {
      // storage refused (private mode): the token lives in memory only
    }
  }
}

let disconnect: (() => void) | undefined

const signOut = (message?: string): void => {
  disconnect?.()
  disconnect = undefined
  storage.set(null)
  prompt(message)
}

function prompt(message?: string): void {
  document.title = title
  const input = h("input", {
    type: "password",
    name: "token",
    id: "token",
    required: true,
    autocomplete: "current-password",
    spellcheck: false
  })
  const error = h("p", { class: "error", role: "alert", id: "token-error" }, message ?? "")
  error.hidden = message === undefined
  const submit = h("button", { type: "submit", class: "button primary" }, "Open the inspector")
  const form = h(
    "form",
    { class: "login-card", "aria-labelledby": "login-title" },
    h(
      "div",
      { class: "brand big" },
      h("span", { class: "logo", "aria-hidden": "true" }),
      "Cachet ",
      h("span", {}, "inspector")
    ),
    h("h1", { id: "login-title" }, "Admin token"),
    h(
      "p",
      { class: "muted" },
      "The cache pages need the server's admin token (ADMIN_TOKEN). It is kept for this tab only and sent as a " +
        "bearer token."
    ),
    h("input", {
      type: "text",
      name: "username",
      autocomplete: "username",
      value: "admin",
      hidden: true,
      "aria-hidden": "true",
      tabindex: -1
    }),
    h("label", { for: "token" }, "Token"),
    input,
    error,
    submit
  )
  form.addEventListener("submit", (event) => {
    event.preventDefault()
    submit.disabled = true
    void login(input.value.trim()).finally(() => (submit.disabled = false))
  })
  replace(root, h("main", { class: "login" }, form))
  input.focus()
}

async function login(token: string): Promise<void> {
  const session: Session = { api, token }
  try {
    const stats = await request<Stats>(session, "/cache/stats")
    storage.set(token)
    start(session, stats)
  } catch (error) {
    prompt(error instanceof ApiError ? refusal(error) : String(error))
  }
}

const parseRoute = (): { readonly view: ViewName; readonly params: URLSearchParams } => {
  const hash = location.hash.replace(/^#\/?/, "")
  const [name = "", search = ""] = hash.split("?")
  const view = tabs.some(([tab]) => tab === name) ? name as ViewName : "overview"
  return { view, params: new URLSearchParams(search) }
}

function start(session: Session, stats: Stats): void {
  document.title = `${title} · ${stats.namespace}`
  const listeners: Array<(event: CacheEvent) => void> = []
  const context: Context = {
    session,
    listen: (listener) => void listeners.push(listener),
    go: (view, params = {}) => {
      const search = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "")).toString()
      location.hash = `#/${view}${search === "" ? "" : `?${search}`}`
    }
  }
  const views: Record<ViewName, View> = {
    overview: Overview.make(context),
    entries: Entries.make(context),
    tags: Tags.make(context),
    events: Events.make(context),
    graph: Graph.make(context)
  }
  const status = h("span", { class: "live", "data-status": "connecting", role: "status" }, "connecting")
  const links = new Map(tabs.map(([name, label]) => [name, h("a", { href: `#/${name}`, class: "tab" }, label)]))
  const main = h("main", { id: "main", tabindex: -1 })
  replace(
    root,
    h("a", { href: "#main", class: "skip" }, "Skip to content"),
    h(
      "header",
      { class: "top" },
      h(
        "div",
        { class: "brand" },
        h("span", { class: "logo", "aria-hidden": "true" }),
        "Cachet ",
        h("span", {}, "inspector")
      ),
      h("nav", { class: "tabs", "aria-label": "views" }, [...links.values()]),
      h(
        "div",
        { class: "top-end" },
        status,
        h("button", { type: "button", class: "button small", onclick: () => signOut() }, "Sign out")
      )
    ),
    main
  )
  const route = (): void => {
    if (location.hash.startsWith("#token=")) return
    const { params, view } = parseRoute()
    for (const [name, link] of links) {
      if (name === view) link.setAttribute("aria-current", "page")
      else link.removeAttribute("aria-current")
    }
    if (main.firstElementChild !== views[view].element) replace(main, views[view].element)
    views[view].show(params)
  }
  window.onhashchange = route
  setAuthFailureHandler((error) => signOut(refusal(error)))
  disconnect = Live.connect(session, {
    event: (event) => {
      for (const listener of listeners) listener(event)
    },
    status: (state) => {
      status.dataset["status"] = state
      status.textContent = state
    },
    refused: (error) => signOut(refusal(error))
  })
  route()
}

const fragment = location.hash.match(/^#token=(.*)$/)
if (fragment !== null) {
  history.replaceState(null, "", location.pathname + location.search)
  void login(decodeURIComponent(fragment[1] ?? ""))
} else {
  const saved = storage.get()
  if (saved === null || saved === "") prompt()
  else void login(saved)
}
