/** The entries table (key, state, tags, age, ttl, grace, size), shared by the overview and the entries view. */
import { bytes, duration, h, stateBadge } from "../dom.js"
import type { EntrySummary } from "../types.js"

/** How many tags a row shows before "+N more". */
const TAGS_SHOWN = 4

/** A table of entries; a row opens with a click or Enter. */
export const table = (
  entries: ReadonlyArray<EntrySummary>,
  open: (key: string) => void,
  onTag?: (tag: string) => void
): HTMLElement =>
  h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "entries" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "Key"),
          h("th", { scope: "col" }, "State"),
          h("th", { scope: "col" }, "Tags"),
          h("th", { scope: "col", class: "num" }, "Age"),
          h("th", { scope: "col", class: "num" }, "TTL"),
          h("th", { scope: "col", class: "num" }, "Grace"),
          h("th", { scope: "col", class: "num" }, "Size")
        )
      ),
      h(
        "tbody",
        {},
        entries.map((entry) =>
          h(
            "tr",
            {
              tabindex: 0,
              "data-key": entry.key,
              "data-state": entry.state,
              "aria-label": `entry ${entry.key}`,
              onclick: () => open(entry.key),
              onkeydown: (event: KeyboardEvent) => {
                if (event.key === "Enter" && event.target === event.currentTarget) open(entry.key)
              }
            },
            h("td", { class: "key" }, h("code", { title: entry.key }, entry.key)),
            h(
              "td",
              {},
              stateBadge(entry.state),
              entry.failed ? h("span", { class: "badge failed", title: "a cached failure" }, "failure") : null
            ),
            h(
              "td",
              { class: "tags" },
              entry.tags.slice(0, TAGS_SHOWN).map((tag) =>
                onTag === undefined
                  ? h("span", { class: "tag" }, tag)
                  : h("button", {
                    type: "button",
                    class: "tag",
                    title: `entries under ${tag}`,
                    onclick: (event: MouseEvent) => {
                      event.stopPropagation()
                      onTag(tag)
                    }
                  }, tag)
              ),
              entry.tags.length > TAGS_SHOWN
                ? h(
                  "span",
                  { class: "more", title: entry.tags.slice(TAGS_SHOWN).join(", ") },
                  `+${entry.tags.length - TAGS_SHOWN} more`
                )
                : null
            ),
            h("td", { class: "num" }, duration(entry.ageMillis)),
            h("td", { class: "num" }, duration(entry.ttlMillis)),
            h("td", { class: "num" }, duration(entry.graceMillis)),
            h("td", { class: "num" }, bytes(entry.size))
          )
        )
      )
    )
  )
