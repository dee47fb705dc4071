/**
 * `npm run bench`: measures Cachet against peer libraries in one process and one run, prints the
 * figures with ratios, and writes them into docs/performance.md between its `<!-- bench:start -->` and
 * `<!-- bench:end -->` markers. `npm run bench -- <section> ...` runs only the named sections and prints them
 * without touching that block; a section with markers of its own (`graphql-servers`) is written between them
 * each time it runs.
 */
import "./env.js"

import { readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

import * as CacheBench from "./cache.js"
import * as ClusterBench from "./cluster.js"
import * as GraphQLBench from "./graphql.js"
import * as GraphQLServersBench from "./graphqlServers.js"
import * as HttpBench from "./http.js"
import { formatNs, type Sample } from "./measure.js"
import * as MemcachedBench from "./memcached.js"
import * as NormalizeBench from "./normalize.js"
import * as PromiseBench from "./promise.js"
import * as Report from "./report.js"

const table = (rows: ReadonlyArray<Sample>, reference: Sample): string => {
  const lines = ["| library and operation | per op | ratio to " + reference.name + " |", "| --- | ---: | ---: |"]
  for (const row of rows) {
    lines.push(`| ${row.name} | ${formatNs(row.nsPerOp)} | ${(row.nsPerOp / reference.nsPerOp).toFixed(2)}× |`)
  }
  return lines.join("\n")
}

const plain = (rows: ReadonlyArray<Sample>): string =>
  ["| measurement | per op |", "| --- | ---: |", ...rows.map((row) => `| ${row.name} | ${formatNs(row.nsPerOp)} |`)]
    .join("\n")

const ms = (value: number): string =>
  (value >= 10 ? value.toFixed(1) : value >= 0.1 ? value.toFixed(2) : value.toFixed(3)) + " ms"
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(2)} MB`

/** How Cachet driven by the peers' own documents compares with them. */
const documentsLines = (
  figures: ReadonlyArray<NormalizeBench.Figures>,
  peers: ReadonlyArray<NormalizeBench.Figures>
): Array<string> => {
  const docs = figures.find((f) => f.name === "Cachet Documents")
  if (docs === undefined) return []
  const vs = (get: (f: NormalizeBench.Figures) => number) =>
    peers.map((p) => {
      const r = get(p) / get(docs)
      return r >= 1 ? `${r.toFixed(1)}× faster than ${p.name}` : `${(1 / r).toFixed(1)}× slower than ${p.name}`
    }).join(", ")
  return [
    `- Cachet Documents (driven by the same \`gql\` documents as the peers): write ${vs((f) => f.writeMs)}; ` +
    `read after a write ${vs((f) => f.readAfterWriteMs)}; repeated read ${vs((f) => f.repeatedReadMs)}; ` +
    `re-read after one author changed ${vs((f) => f.rereadMs)}; retained heap ${
      (docs.heapBytes / docs.rawJsonBytes).toFixed(2)
    }× the raw JSON`
  ]
}

/** The "Normalized data" section: one column per library, then each peer's figure over Cachet's. */
const normalizedSection = (figures: ReadonlyArray<NormalizeBench.Figures>): Array<string> => {
  const [cachet, ...others] = figures
  if (cachet === undefined) return []
  const peers = others.filter((f) => !f.name.startsWith("Cachet"))
  const rows: ReadonlyArray<readonly [string, (f: NormalizeBench.Figures) => number, (v: number) => string]> = [
    ["write (ms)", (f) => f.writeMs, ms],
    ["read after a write (ms)", (f) => f.readAfterWriteMs, ms],
    ["repeated read (ms)", (f) => f.repeatedReadMs, ms],
    ["re-read after one author changed (ms)", (f) => f.rereadMs, ms],
    ["retained heap, 10 pages written and read", (f) => f.heapBytes, mb],
    ["retained heap / raw JSON", (f) => f.heapBytes / f.rawJsonBytes, (v) => `${v.toFixed(2)}×`]
  ]
  const header = ["measurement", ...figures.map((f) => f.name), ...peers.map((p) => `${p.name} / Cachet`)]
  const lines = [`| ${header.join(" | ")} |`, `| --- | ${header.slice(1).map(() => "---:").join(" | ")} |`]
  for (const [label, get, format] of rows) {
    const cells = [
      label,
      ...figures.map((f) => format(get(f))),
      ...peers.map((p) => `${(get(p) / get(cachet)).toFixed(2)}×`)
    ]
    lines.push(`| ${cells.join(" | ")} |`)
  }
  lines.push(
    `| posts keeping identity on the re-read | ${figures.map((f) => `${f.unchangedKept} / 1000`).join(" | ")} | ${
      peers.map(() => "").join(" | ")
    } |`
  )
  const ratio = (get: (f: NormalizeBench.Figures) => number) =>
    peers.map((p) => {
      const r = get(p) / get(cachet)
      return r >= 1 ? `${r.toFixed(1)}× faster than ${p.name}` : `${(1 / r).toFixed(1)}× slower than ${p.name}`
    }).join(", ")
  return [
    "## Normalized data (1,000 Posts with 100 Authors; 10 pages for the heap)",
    "",
    lines.join("\n"),
    "",
    `- write: Cachet is ${ratio((f) => f.writeMs)}`,
    `- read after a write: Cachet is ${ratio((f) => f.readAfterWriteMs)}`,
    `- repeated read: Cachet is ${ratio((f) => f.repeatedReadMs)}`,
    `- re-read after one author changed: Cachet is ${ratio((f) => f.rereadMs)}`,
    ...documentsLines(figures, peers),
    `- retained heap: Cachet keeps ${
      peers.map((p) => `${(p.heapBytes / cachet.heapBytes).toFixed(1)}× less than ${p.name}`).join(", ")
    }`,
    `- raw JSON of the 10 pages: ${mb(cachet.rawJsonBytes)} with \`__typename\`, ${
      mb(figures.find((f) => f.name.includes("no __typename"))?.rawJsonBytes ?? 0)
    } without.`,
    "- Peers in production mode (NODE_ENV=production, Apollo `__DEV__` false). Cachet: `EntityGraph` driven with " +
    "`Effect.runSync`; " +
    "the first Cachet column uses Schemas that declare `__typename` (all three then store and return the same " +
    "data), the second Schemas without it on data without it. " +
    "Apollo: `InMemoryCache` `writeQuery`/`readQuery`/`writeFragment` with `gql` documents. " +
    NormalizeBench.urqlMethod,
    "- Only the measured operation is timed (not the write before a read after a write, nor the author change " +
    "before a re-read). Medians of 5 rounds; heap: median of 3 fresh caches, results dropped." +
    (NormalizeBench.canCollect() ? "" : " **Run without --expose-gc: heap figures are unreliable.**"),
    ""
  ]
}

/** The "Read-through hit path" and "Invalidating a tag" sections. */
const cacheSection = async (): Promise<Array<string>> => {
  const cache = await CacheBench.run()
  const reference = cache.hit[0]!
  const ratios = cache.hit.slice(1).map((peer) => {
    const ratio = peer.nsPerOp / reference.nsPerOp
    return ratio >= 1
      ? `- ${reference.name} is ${ratio.toFixed(2)}× faster than ${peer.name}`
      : `- ${reference.name} is ${(1 / ratio).toFixed(2)}× slower than ${peer.name}`
  })
  return [
    "## Read-through hit path (10,000 keys)",
    "",
    table(cache.hit, reference),
    "",
    ...ratios,
    "",
    "## Allocation per hit (bytes, heap deltas over 10,000-hit chunks no collection overlapped)",
    "",
    [
      "| measurement | bytes per op |",
      "| --- | ---: |",
      ...cache.allocation.map((row) =>
        `| ${row.name} | ${
          Number.isNaN(row.bytesPerOp) ? "n/a (collected in every chunk)" : row.bytesPerOp.toFixed(0)
        } |`
      )
    ].join("\n"),
    "",
    "## A miss (a key never read: the fetch, the entry encoded and written, an eviction; 20,000 keys per round, " +
    "memory store full)",
    "",
    plain([cache.miss]),
    "",
    "## Invalidating a tag that covers 100,000 entries, and the reads after it",
    "",
    plain(cache.wide),
    ""
  ]
}

/** The "Memcached tag invalidations" section. */
const memcachedSection = async (): Promise<Array<string>> => {
  const title = "## Memcached tag invalidations (16 concurrent writers, 4 readers, real memcached on loopback)"
  const f = await MemcachedBench.run()
  if (f === undefined) return [title, "", "memcached is not installed: skipped.", ""]
  return [
    title,
    "",
    "| measurement | value |",
    "| --- | ---: |",
    `| invalidations per second (succeeded) | ${f.bumpsPerSecond.toFixed(0)} |`,
    `| reads per second alongside (Cache.getOrFetch) | ${f.readsPerSecond.toFixed(0)} |`,
    `| invalidation latency p50 / p99 | ${ms(f.p50BumpMs)} / ${ms(f.p99BumpMs)} |`,
    `| failed invalidations (timeouts, breaker open) | ${f.failedBumps} of ${f.bumps} |`,
    `| store errors counted by the cache | ${f.storeErrors} |`,
    "",
    "- Each invalidation bumps two tags (`users/N`, `teams/M`) through `Cache.invalidate` with the default 500 ms " +
    "store timeout.",
    ""
  ]
}

/**
 * Every section of the generated figures in order: a name (`npm run bench -- <name>` runs that one alone
 * and only prints it) and the markdown lines it measures.
 */
const sections: ReadonlyArray<{
  readonly name: string
  readonly run: () => Promise<Array<string>>
  /** Written between markers of its own (`Report.sectionMarkers`) each time it runs, not in the full run's block. */
  readonly ownMarkers?: true
}> = [
  { name: "cache", run: cacheSection },
  { name: "promise", run: PromiseBench.section },
  { name: "normalize", run: async () => normalizedSection(await NormalizeBench.run()) },
  { name: "memcached", run: memcachedSection },
  { name: "graphql", run: GraphQLBench.section },
  { name: "http", run: async () => HttpBench.section(await HttpBench.run()) },
  { name: "cluster", run: ClusterBench.run },
  { name: "graphql-servers", run: GraphQLServersBench.section, ownMarkers: true }
]

const main = async () => {
  const only = process.argv.slice(2)
  const unknown = only.filter((name) => !sections.some((section) => section.name === name))
  if (unknown.length > 0) {
    throw new Error(`unknown section(s) ${unknown.join(", ")}; known: ${sections.map((s) => s.name).join(", ")}`)
  }
  const chosen = only.length === 0 ? sections : sections.filter((section) => only.includes(section.name))
  const page = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "docs", "performance.md")
  const body: Array<string> = []
  for (const section of chosen) {
    const lines = await section.run()
    process.stdout.write(lines.join("\n") + "\n")
    if (section.ownMarkers === true) {
      const [start, end] = Report.sectionMarkers(section.name)
      const measured = `Measured by \`npm run bench -- ${section.name}\` on ${
        new Date().toISOString().slice(0, 10)
      }, Node ${process.version}.`
      writeFileSync(
        page,
        Report.spliceBetween(readFileSync(page, "utf8"), start, end, [measured, "", ...lines].join("\n"))
      )
    } else {
      body.push(...lines)
    }
  }
  if (only.length > 0) return
  const figures = [
    `Measured by \`npm run bench\` on ${
      new Date().toISOString().slice(0, 10)
    }, Node ${process.version}, in one process and one run (median of rounds).`,
    "",
    ...body
  ].join("\n")
  writeFileSync(page, Report.splice(readFileSync(page, "utf8"), figures))
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exitCode = 1
})
