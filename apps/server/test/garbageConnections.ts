/**
 * Run in a child process with `--expose-gc` by `Exhaustion.test.ts`: starts the app, opens
 * connections that each send a valid request and then garbage, and prints (one JSON line) the
 * heap after a full collection before and after, and the requests still in flight.
 */
import * as Net from "node:net"

import { start, testEnv } from "./harness.js"

const gc = (globalThis as { gc?: () => void }).gc

const heapAfterGc = async (): Promise<number> => {
  for (let i = 0; i < 3; i++) {
    gc!()
    await new Promise((resolve) => setImmediate(resolve))
  }
  return process.memoryUsage().heapUsed
}

/** One connection: a valid request, then garbage; resolves when the server has closed it. */
export const requestThenGarbage = (port: number) =>
  new Promise<string>((resolve) => {
    const socket = Net.connect(port, "127.0.0.1")
    let received = ""
    socket.on("data", (chunk) => received += String(chunk))
    socket.on("error", () => {})
    socket.on("close", () => resolve(received))
    socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE\r\n\r\n")
  })

/** `count` such connections, `concurrency` at a time. */
export const connections = async (port: number, count: number, concurrency = 50) => {
  const answers: Array<string> = []
  for (let sent = 0; sent < count; sent += concurrency) {
    answers.push(
      ...await Promise.all(Array.from({ length: Math.min(concurrency, count - sent) }, () => requestThenGarbage(port)))
    )
  }
  return answers
}

const main = async () => {
  if (gc === undefined) throw new Error("run with --expose-gc")
  const count = Number(process.argv[2] ?? "2000")
  const server = await start(
    testEnv({ CACHET_SEED_USERS: "2", CACHET_SEED_POSTS: "2", CACHET_SEED_COMMENTS: "2", CACHET_LOG_LEVEL: "None" })
  )
  const port = Number(new URL(server.url).port)
  // Warm up (code paths, pools), then measure.
  await connections(port, 200)
  await server.whenIdle()
  const before = await heapAfterGc()
  await connections(port, count)
  await server.whenIdle()
  const inFlight = server.inFlight()
  const after = await heapAfterGc()
  const health = (await server.get("/health")).status
  const closing = Date.now()
  await server.close()
  process.stdout.write(JSON.stringify({ before, after, inFlight, health, closeMillis: Date.now() - closing }) + "\n")
}

if (process.argv[1]?.endsWith("garbageConnections.ts")) {
  main().then(() => process.exit(0), (error) => {
    process.stderr.write(String(error) + "\n")
    process.exit(1)
  })
}
