/**
 * `npm run bench`: measures Cachet against peer libraries in one process and one run, prints the
 * figures with ratios, and writes them to BENCHMARKS.md at the repository root.
 */
import { writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import * as CacheBench from "./cache.js"
import { formatNs, type Sample } from "./measure.js"

const table = (rows: ReadonlyArray<Sample>, reference: Sample): string => {
  const lines = ["| library and operation | per op | ratio to " + reference.name + " |", "| --- | ---: | ---: |"]
  for (const row of rows) lines.push(`| ${row.name} | ${formatNs(row.nsPerOp)} | ${(row.nsPerOp / reference.nsPerOp).toFixed(2)}× |`)
  return lines.join("\n")
}

const plain = (rows: ReadonlyArray<Sample>): string =>
  ["| measurement | per op |", "| --- | ---: |", ...rows.map((row) => `| ${row.name} | ${formatNs(row.nsPerOp)} |`)].join("\n")

const main = async () => {
  const cache = await CacheBench.run()
  const reference = cache.hit[0]!
  const ratios = cache.hit.slice(1).map((peer) => `- ${reference.name} is ${(peer.nsPerOp / reference.nsPerOp).toFixed(2)}× as fast as ${peer.name}`)
  const report = [
    "# Benchmarks",
    "",
    `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, in one process and one run (median of rounds).`,
    "",
    "## Read-through hit path (10,000 keys)",
    "",
    table(cache.hit, reference),
    "",
    ...ratios,
    "",
    "## Invalidating a tag that covers 100,000 entries, and the reads after it",
    "",
    plain(cache.wide),
    ""
  ].join("\n")
  process.stdout.write(report + "\n")
  const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..")
  writeFileSync(join(root, "BENCHMARKS.md"), report)
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exitCode = 1
})
