import { Codec } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck as fc, Option, Schema } from "effect"

class Account extends Schema.Class<Account>("Account")({
  id: Schema.String.pipe(Schema.brand("AccountId")),
  balance: Schema.BigInt,
  opened: Schema.Date,
  closed: Schema.Option(Schema.Date),
  tags: Schema.Array(Schema.String)
}) {}

const Shape = Schema.Struct({
  when: Schema.Date,
  amount: Schema.BigInt,
  maybe: Schema.Option(Schema.Number),
  account: Account,
  nested: Schema.Array(Schema.Struct({ n: Schema.Number, s: Schema.String, b: Schema.Boolean }))
})

const roundTrips = <A, I>(schema: Schema.Schema<A, I, never>, value: A) => {
  const text = Codec.encode(schema, value)
  expect(Either.isRight(text)).toBe(true)
  const back = Codec.decode(schema, Either.getOrThrow(text))
  expect(Either.isRight(back)).toBe(true)
  const decoded = Either.getOrThrow(back)
  // Equal as data: encoding the decoded value gives the same text again.
  expect(Either.getOrThrow(Codec.encode(schema, decoded))).toBe(Either.getOrThrow(text))
  return decoded
}

describe("Codec", () => {
  it.prop("round-trips Date, BigInt, Option, branded and class values", [Arbitrary.make(Shape)], ([value]) => {
    const decoded = roundTrips(Shape, value)
    expect(decoded.account).toBeInstanceOf(Account)
    expect(decoded.when.getTime()).toEqual(value.when.getTime())
    expect(decoded.amount).toBe(value.amount)
    expect(Option.isOption(decoded.maybe)).toBe(true)
  })

  it.prop("round-trips values of generated schemas", [
    fc.constantFrom<Schema.Schema<unknown, unknown, never>>(
      Schema.Number as never,
      Schema.Array(Schema.Union(Schema.String, Schema.Null)) as never,
      Schema.Record({ key: Schema.String, value: Schema.BigInt }) as never,
      Schema.Tuple(Schema.Date, Schema.Option(Schema.Boolean)) as never,
      Account as never
    ).chain((schema) => Arbitrary.make(schema).map((value) => [schema, value] as const))
  ], ([[schema, value]]) => {
    roundTrips(schema, value)
  })

  it("decode failures are typed, never thrown", () => {
    const bad = Codec.decode(Shape, "{not json")
    expect(Either.isLeft(bad) && bad.left._tag === "CodecError" && bad.left.reason === "Decode").toBe(true)
    const wrong = Codec.decode(Account, JSON.stringify({ id: 1 }))
    expect(Either.isLeft(wrong)).toBe(true)
    const unencodable = Codec.encode(Schema.Unknown, () => 1)
    expect(Either.isLeft(unencodable)).toBe(true)
  })

  it("the digest changes when the shape changes, and only then", () => {
    const A = Schema.Struct({ id: Schema.String })
    const B = Schema.Struct({ id: Schema.Number })
    expect(Codec.digest(A)).toBe(Codec.digest(Schema.Struct({ id: Schema.String })))
    expect(Codec.digest(A)).not.toBe(Codec.digest(B))
    expect(Codec.digest(Account)).not.toBe(Codec.digest(Shape))
  })
})

describe("Codec numbers JSON cannot hold", () => {
  it.prop("Infinity, NaN and -0 survive, and user keys that look like markers stay data", [
    fc.array(fc.oneof(fc.double(), fc.constantFrom(Infinity, -Infinity, NaN, -0))),
    fc.dictionary(fc.constantFrom("~n", "~~n", "~", "a"), fc.oneof(fc.string(), fc.double()))
  ], ([numbers, record]) => {
    const schema = Schema.Tuple(
      Schema.Array(Schema.Number),
      Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Schema.Number) })
    )
    const back = Either.getOrThrow(Codec.decode(schema, Either.getOrThrow(Codec.encode(schema, [numbers, record]))))
    expect(back[0].length).toBe(numbers.length)
    back[0].forEach((n, i) => expect(Object.is(n, numbers[i])).toBe(true))
    expect(Object.keys(back[1]).sort()).toEqual(Object.keys(record).sort())
    for (const key of Object.keys(record)) expect(Object.is(back[1][key], record[key])).toBe(true)
  })
})
