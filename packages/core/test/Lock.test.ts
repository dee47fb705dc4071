import { Lock } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"

describe("Lock.Options", () => {
  it("takes Duration inputs and defaults to 10 s / 5 s", () => {
    expect(Lock.millisOf(undefined)).toEqual({ ttlMillis: 10_000, waitMillis: 5_000 })
    expect(Lock.millisOf({ ttl: "3 seconds", wait: "250 millis" })).toEqual({ ttlMillis: 3_000, waitMillis: 250 })
    expect(Lock.millisOf({ ttl: "1 second" })).toEqual({ ttlMillis: 1_000, waitMillis: 5_000 })
  })
})
