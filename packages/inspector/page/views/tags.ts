/** The tag tree as entries use it (`users › 123 › posts`), with entry counts, and expire / invalidate per node. */
import { request } from "../api.js"
import type { Context, View } from "../context.js"
import { count, h, replace } from "../dom.js"
import type { TagTree } from "../types.js"
import { tagAction } from "./entries.js"

interface Node {
  readonly tag: string
  readonly segment: string
  entries: number
  readonly children: Array<Node>
}

const treeOf = (tags: TagTree["tags"]): Array<Node> => {
  const roots: Array<Node> = []
  const byTag = new Map<string, Node>()
  for (const { tag, entries } of tags) {
    const cut = tag.lastIndexOf("/")
    const node: Node = { tag, segment: cut === -1 ? tag : tag.slice(cut + 1), entries, children: [] }
    byTag.set(tag, node)
    const parent = cut === -1 ? undefined : byTag.get(tag.slice(0, cut))
    ;(parent === undefined ? roots : parent.children).push(node)
  }
  return roots
}

/** The tags view. */
export const make = (context: Context): View => {
  const status = h("p", { class: "result-status", "aria-live": "polite" })
  const tree = h("div", { class: "tree" })
  const filter = h("input", {
    type: "search",
    placeholder: "filter tags",
    "aria-label": "filter tags",
    autocomplete: "off"
  })
  const element = h(
    "section",
    { class: "view", "aria-labelledby": "tags-title" },
    h("div", { class: "block-head" }, h("h1", { id: "tags-title" }, "Tags"), filter),
    h(
      "p",
      { class: "muted" },
      "Invalidating or expiring a tag covers every entry tagged with it or with a tag below it."
    ),
    status,
    tree
  )
  let data: TagTree | undefined

  const row = (node: Node, depth: number): HTMLElement => {
    const act = (soft: boolean) => async () => {
      if (await tagAction(context, node.tag, node.entries, soft)) void load()
    }
    const line = h(
      "div",
      { class: "tag-row", "data-tag": node.tag },
      h(
        "span",
        { class: "tag-path", title: node.tag },
        depth === 0 || node.segment === node.tag
          ? null
          : h(
            "span",
            { class: "parent" },
            node.tag.slice(0, node.tag.length - node.segment.length - 1).split("/").join(" › "),
            " › "
          ),
        node.segment
      ),
      h("span", { class: "count", title: "entries covered" }, count(node.entries)),
      h(
        "span",
        { class: "actions" },
        h(
          "button",
          { type: "button", class: "button small", onclick: () => context.go("entries", { tag: node.tag }) },
          "Entries"
        ),
        h(
          "button",
          { type: "button", class: "button small", onclick: act(true), "aria-label": `expire ${node.tag}` },
          "Expire"
        ),
        h("button", {
          type: "button",
          class: "button small danger",
          onclick: act(false),
          "aria-label": `invalidate ${node.tag}`
        }, "Invalidate")
      )
    )
    if (node.children.length === 0) return h("li", {}, line)
    return h(
      "li",
      {},
      h(
        "details",
        { open: depth === 0 },
        h("summary", {}, line),
        h("ul", {}, node.children.map((child) => row(child, depth + 1)))
      )
    )
  }

  const render = (): void => {
    if (data === undefined) return
    const needle = filter.value.trim().toLowerCase()
    const tags = needle === "" ? data.tags : data.tags.filter((t) => t.tag.toLowerCase().includes(needle))
    if (!data.listing.listable) {
      status.textContent = `This store cannot list its keys (${
        data.listing.reason ?? "unsupported"
      }), so tags cannot be counted.`
      replace(tree)
      return
    }
    status.textContent = data.tags.length === 0
      ? "No tags in use."
      : `${count(data.tags.length)} tag paths over ${count(data.listing.scanned)} entries${
        data.listing.truncated ? " (the first keys only)" : ""
      }.`
    const roots = needle === ""
      ? treeOf(tags)
      : tags.map((t) => ({ tag: t.tag, segment: t.tag, entries: t.entries, children: [] }))
    replace(tree, h("ul", { class: "tree-root" }, roots.map((node) => row(node, 0))))
  }

  const load = async (): Promise<void> => {
    try {
      data = await request<TagTree>(context.session, "/cache/tags")
      render()
    } catch (error) {
      status.textContent = `Could not read the tags: ${error instanceof Error ? error.message : String(error)}`
    }
  }
  filter.addEventListener("input", render)

  return { element, show: () => void load() }
}
