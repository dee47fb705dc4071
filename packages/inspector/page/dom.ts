/** A tiny element builder and the page's formatting helpers. */

/** What an element can hold. */
export type Child = Node | string | number | null | undefined | false | ReadonlyArray<Child>

/** Attributes (strings, numbers, booleans) and `on*` listeners. */
export type Props = Record<string, string | number | boolean | null | undefined | ((event: never) => void)>

const append = (parent: Node, child: Child): void => {
  if (child === null || child === undefined || child === false) return
  if (Array.isArray(child)) { for (const c of child as ReadonlyArray<Child>) append(parent, c) }
  else parent.appendChild(typeof child === "object" ? child as Node : document.createTextNode(String(child)))
}

const apply = (element: Element, props: Props): void => {
  for (const [name, value] of Object.entries(props)) {
    if (typeof value === "function") element.addEventListener(name.slice(2), value as EventListener)
    else if (value === true) element.setAttribute(name, "")
    else if (value !== false && value !== null && value !== undefined) element.setAttribute(name, String(value))
  }
}

/** An HTML element. */
export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: ReadonlyArray<Child>
): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag)
  apply(element, props)
  append(element, children)
  return element
}

/** An SVG element. */
export const s = (tag: string, props: Props = {}, ...children: ReadonlyArray<Child>): SVGElement => {
  const element = document.createElementNS("http://www.w3.org/2000/svg", tag)
  apply(element, props)
  append(element, children)
  return element
}

/** Replaces an element's children. */
export const replace = (parent: Element, ...children: ReadonlyArray<Child>): void => {
  parent.replaceChildren()
  append(parent, children)
}

/** A duration in milliseconds, short (`850 ms`, `12 s`, `3 min 4 s`, `2 h 5 min`, `3 d`). */
export const duration = (millis: number | null): string => {
  if (millis === null) return "—"
  if (millis < 1000) return `${Math.round(millis)} ms`
  const seconds = Math.floor(millis / 1000)
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`
  return `${Math.floor(hours / 24)} d`
}

/** A size in bytes (`512 B`, `1.5 KB`, `2.0 MB`). */
export const bytes = (size: number): string =>
  size < 1024
    ? `${size} B`
    : size < 1024 * 1024
    ? `${(size / 1024).toFixed(1)} KB`
    : `${(size / 1024 / 1024).toFixed(1)} MB`

/** A ratio as a percentage with one decimal (`66.7 %`). */
export const percent = (ratio: number): string => `${(ratio * 100).toFixed(1)} %`

/** A time of day (`14:03:07`). */
export const clock = (at: number): string => new Date(at).toLocaleTimeString([], { hour12: false })

/** A whole number with thousands separators. */
export const count = (n: number): string => n.toLocaleString("en-US")

/** A badge for an entry state. */
export const stateBadge = (state: string): HTMLElement =>
  h("span", { class: `badge state-${state}`, "data-state": state }, state)
