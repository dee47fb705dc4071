/**
 * The README's tour as a runnable program (what `npm start` runs until the HTTP app lands).
 */
import { Effect } from "effect"
import { Key } from "@cachet/core"

const program = Effect.gen(function* () {
  const key = Key.make(["blog", "1", "getUser"], { id: "123" })
  yield* Effect.log(`a canonical cache key: ${key}`)
})

Effect.runPromise(program)
