/**
 * The normalized graph, when the server provides an `EntityGraph`: entities by type, one entity's records and links,
 * and the root queries that reach it.
 */
import { request } from "../api.js"
import type { Context, View } from "../context.js"
import { count, h, replace } from "../dom.js"
import type { GraphEntity, GraphSummary } from "../types.js"

const linkKeys = (value: unknown, into: Array<string | null>): Array<string | null> => {
  if (Array.isArray(value)) { for (const item of value) linkKeys(item, into) }
  else into.push(typeof value === "string" ? value : null)
  return into
}

/** The graph view. */
export const make = (context: Context): View => {
  const body = h("div", { class: "graph" })
  const entity = h("section", { class: "panel", hidden: true, "aria-label": "entity" })
  const element = h(
    "section",
    { class: "view", "aria-labelledby": "graph-title" },
    h("h1", { id: "graph-title" }, "Normalized graph"),
    body,
    entity
  )

  const open = async (key: string): Promise<void> => {
    entity.hidden = false
    replace(entity, h("p", { class: "muted" }, `Loading ${key}…`))
    try {
      const found = await request<GraphEntity>(context.session, `/cache/graph/${encodeURIComponent(key)}`)
      replace(
        entity,
        h(
          "header",
          { class: "panel-head" },
          h("h2", {}, h("code", {}, found.key)),
          h("button", { type: "button", class: "button", onclick: () => (entity.hidden = true) }, "Close")
        ),
        h("h3", {}, "Reached by"),
        found.reachedBy.length === 0
          ? h("p", { class: "muted" }, "No root query reaches it (gc() would remove it).")
          : h("ul", { class: "plain" }, found.reachedBy.map((root) => h("li", {}, h("code", {}, root)))),
        h("h3", {}, "Fields"),
        h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            {},
            h("thead", {}, h("tr", {}, h("th", {}, "Field"), h("th", {}, "Kind"), h("th", {}, "Value"))),
            h(
              "tbody",
              {},
              found.fields.map((field) =>
                h(
                  "tr",
                  {},
                  h("td", {}, h("code", {}, field.fieldKey)),
                  h("td", {}, h("span", { class: `badge kind-${field.kind}` }, field.kind)),
                  h(
                    "td",
                    {},
                    field.kind === "record"
                      ? h("code", {}, field.value)
                      : linkKeys(JSON.parse(field.value), []).map((key) =>
                        key === null
                          ? h("code", {}, "null")
                          : h("button", { type: "button", class: "tag", onclick: () => void open(key) }, key)
                      )
                  )
                )
              )
            )
          )
        )
      )
    } catch (error) {
      replace(entity, h("p", { class: "error" }, error instanceof Error ? error.message : String(error)))
    }
  }

  const load = async (): Promise<void> => {
    let summary: GraphSummary
    try {
      summary = await request<GraphSummary>(context.session, "/cache/graph")
    } catch (error) {
      replace(body, h("p", { class: "error" }, error instanceof Error ? error.message : String(error)))
      return
    }
    if (!summary.available) {
      replace(
        body,
        h(
          "p",
          { class: "notice-inline" },
          "This server provides no EntityGraph: there is no normalized graph to show. Provide one " +
            "(@cachet/normalize) in the layer that serves the admin API, and serve @cachet/api/CacheGraph's " +
            "CacheGraphApi group, to see its entities here."
        )
      )
      return
    }
    replace(
      body,
      h("h2", {}, `Root queries (${count(summary.roots.length)})`),
      h("ul", { class: "plain" }, summary.roots.map((root) => h("li", {}, h("code", {}, root)))),
      h("h2", {}, "Entities by type"),
      summary.types.length === 0 ? h("p", { class: "muted" }, "No entities.") : summary.types.map((type) =>
        h(
          "details",
          { class: "type" },
          h("summary", {}, type.typename, " ", h("span", { class: "count" }, count(type.keys.length))),
          h(
            "div",
            { class: "keys" },
            type.keys.map((key) => h("button", { type: "button", class: "tag", onclick: () => void open(key) }, key))
          )
        )
      )
    )
  }

  return { element, show: () => void load() }
}
