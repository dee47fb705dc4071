// Prints the closing line of a test run ("tests: N passed, N failed, N skipped") from vitest's JSON report.
import { readFileSync } from "node:fs"

const report = JSON.parse(readFileSync(new URL("../.vitest-results.json", import.meta.url), "utf8"))
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
process.stdout.write(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped\n`)
process.exitCode = report.numFailedTests > 0 || report.numTotalTests === 0 ? 1 : 0
