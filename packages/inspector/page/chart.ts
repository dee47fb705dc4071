/** The live chart: hits, stale hits, misses and fetch failures per second over the last minutes (SVG). */
import { count, h, s } from "./dom.js"
import type { Tick } from "./types.js"

/** How many seconds the chart keeps. */
const WINDOW = 300
/** The narrowest span drawn: the first minute fills the chart, then it widens to the window. */
const MIN_SPAN = 60
const WIDTH = 600
const HEIGHT = 160

const series = [
  { name: "hits", label: "hits", read: (tick: Tick) => tick.hits },
  { name: "stale", label: "stale hits", read: (tick: Tick) => tick.staleHits },
  { name: "misses", label: "misses", read: (tick: Tick) => tick.misses },
  { name: "failures", label: "fetch failures", read: (tick: Tick) => tick.fetchFailures }
] as const

const niceMax = (max: number): number => {
  if (max <= 4) return 4
  const magnitude = 10 ** Math.floor(Math.log10(max))
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= max) return step * magnitude
  return 10 * magnitude
}

/** A chart element and the function that adds a tick to it. */
export const make = (): { readonly element: HTMLElement; readonly push: (tick: Tick) => void } => {
  const ticks: Array<Tick> = []
  const svg = s("svg", {
    class: "chart-plot",
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    preserveAspectRatio: "none",
    role: "img",
    "aria-label": "reads per second over the last five minutes"
  })
  const scale = h("div", { class: "chart-scale", "aria-hidden": "true" })
  const values = new Map<string, HTMLElement>()
  const legend = h(
    "ul",
    { class: "chart-legend" },
    series.map((serie) => {
      const value = h("strong", {}, "0")
      values.set(serie.name, value)
      return h(
        "li",
        { class: `serie-${serie.name}` },
        h("i", { "aria-hidden": "true" }),
        serie.label,
        " ",
        value,
        h("small", {}, "/s")
      )
    })
  )
  const empty = h("p", { class: "chart-empty" }, "Waiting for the first second of counters…")
  const caption = h("span", { class: "chart-window" })

  const draw = (): void => {
    const max = niceMax(Math.max(0, ...ticks.flatMap((tick) => series.map((serie) => serie.read(tick)))))
    const span = Math.min(WINDOW, Math.max(MIN_SPAN, ticks.length))
    const x = (i: number): number => WIDTH - (ticks.length - 1 - i) * (WIDTH / (span - 1))
    const y = (v: number): number => HEIGHT - (v / max) * (HEIGHT - 4) - 2
    const grid = [0.25, 0.5, 0.75].map((f) =>
      s("line", {
        class: "grid",
        x1: 0,
        x2: WIDTH,
        y1: y(max * f),
        y2: y(max * f),
        "vector-effect": "non-scaling-stroke"
      })
    )
    const lines = series.map((serie) =>
      s("polyline", {
        class: `line serie-${serie.name}`,
        fill: "none",
        "vector-effect": "non-scaling-stroke",
        points: ticks.map((tick, i) => `${x(i).toFixed(1)},${y(serie.read(tick)).toFixed(1)}`).join(" ")
      })
    )
    svg.replaceChildren(...grid, ...lines)
    scale.replaceChildren(h("span", {}, count(max)), h("span", {}, count(max / 2)), h("span", {}, "0"))
    const last = ticks[ticks.length - 1]
    if (last !== undefined) {
      for (const serie of series) {
        values.get(serie.name)!.textContent = count(serie.read(last))
      }
    }
    empty.hidden = ticks.length > 0
    caption.textContent = `last ${Math.round(span / 60)} min, per second`
  }
  draw()

  const element = h(
    "figure",
    { class: "chart" },
    h("div", { class: "chart-area" }, scale, svg, empty),
    h("figcaption", {}, legend, caption)
  )
  return {
    element,
    push: (tick) => {
      ticks.push(tick)
      if (ticks.length > WINDOW) ticks.shift()
      draw()
    }
  }
}
