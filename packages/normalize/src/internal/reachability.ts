/**
 * Reachability: the nodes a read depends on (walked by its plan), and the nodes any root field
 * or layer still reaches (walked by links, for garbage collection).
 * @internal
 */
import type { Data, Link } from "./data.js"
import { forEachKey, NONE } from "./data.js"
import * as keys from "./keys.js"
import type { Plan } from "./plan.js"

/** Adds to `out` every node key a plan reaches from a link (the dependencies of a read). @internal */
export const collect = (data: Data, plan: Plan, link: Link, out: Set<string>, seen: Set<string>): void => {
  if (link === null) return
  switch (plan._tag) {
    case "Object": {
      if (typeof link !== "string") return
      const mark = `${plan.id}\u0000${link}`
      if (seen.has(mark)) return
      seen.add(mark)
      out.add(link)
      const node = data.nodes.get(link)
      if (node === undefined || !plan.hasLinks) return
      for (const fp of plan.fields) {
        if (fp.plan._tag === "Leaf") continue
        const next = fp.resolver !== undefined
          ? (fp.resolver(link) as Link | undefined) ?? NONE
          : data.getLink(node, fp.fieldKey)
        if (next !== NONE) collect(data, fp.plan, next, out, seen)
      }
      return
    }
    case "Array":
      if (Array.isArray(link)) { for (const item of link) collect(data, plan.item, item as Link, out, seen) }
      return
    case "Union":
      if (Array.isArray(link)) {
        for (const m of plan.members) if (m._tag === "Array") collect(data, m, link, out, seen)
      } else if (plan.select !== undefined) {
        collect(data, plan.select(data.typenameAt(link as string)), link, out, seen)
      } else {
        const typename = data.nodes.get(link as string)?.typename ?? keys.typenameOf(link as string)
        const member = plan.members.find((m) => m._tag === "Object" && m.entity?.typename === typename) ??
          plan.members.find((m) => m._tag === "Object" && m.entity === undefined)
        if (member !== undefined) collect(data, member, link, out, seen)
      }
      return
    case "Leaf":
      return
  }
}

/** The keys of every node reachable by links from the root and from the nodes a layer touches. @internal */
export const reachable = (data: Data): Set<string> => {
  const out = new Set<string>([keys.ROOT])
  const stack: Array<string> = [keys.ROOT]
  const visit = (key: string) => {
    if (!out.has(key)) {
      out.add(key)
      stack.push(key)
    }
  }
  for (const layer of data.layers) for (const key of layer.entries.keys()) visit(key)
  while (stack.length > 0) {
    const node = data.nodes.get(stack.pop()!)
    if (node !== undefined) data.linksOf(node, (linked) => forEachKey(linked, visit))
  }
  return out
}
