/**
 * Rendered fragments as they are stored and replayed: the response JSON of a field's subtree,
 * the concrete types of its objects at abstract positions, and its tags. A hit hands the
 * executor `Raw` objects whose fields are read back from that JSON, so no resolver runs below.
 * @internal
 */

/** @internal */
export interface Stored {
  /** The field's rendered value, exactly as it appears in the response. */
  readonly v: unknown
  /** Concrete typenames of objects at abstract positions, by path relative to the field. */
  readonly t?: Readonly<Record<string, string>>
  /** The entry's tags (so an enclosing fragment written later carries them too). */
  readonly g: ReadonlyArray<string>
  /** Until when it is fresh (epoch milliseconds), when its ttl was known as it was rendered. */
  readonly e?: number
}

/** An object replayed from a stored fragment. @internal */
export class Raw {
  constructor(
    readonly data: Readonly<Record<string, unknown>>,
    readonly stored: Stored,
    readonly rel: string
  ) {}
  get typename(): string | undefined {
    return this.stored.t?.[this.rel]
  }
}

/** A stored leaf of a custom scalar or enum: already serialized, passed through as is. @internal */
export class RawLeaf {
  constructor(readonly value: unknown) {}
}

/** How a field's values are replayed: objects, built-in scalars, or custom leaves. @internal */
export type LeafKind = "composite" | "builtin" | "custom"

/** @internal */
export const childPath = (stored: Stored, rel: string, key: string | number): string =>
  stored.t === undefined ? "" : rel === "" ? String(key) : `${rel}.${key}`

/** Turns stored JSON into what the executor completes without resolvers. @internal */
export const replay = (value: unknown, stored: Stored, rel: string, kind: LeafKind): unknown => {
  if (value === null || value === undefined) return null
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) out[i] = replay(value[i], stored, childPath(stored, rel, i), kind)
    return out
  }
  switch (kind) {
    case "composite":
      return new Raw(value as Record<string, unknown>, stored, rel)
    case "builtin":
      return value
    case "custom":
      return new RawLeaf(value)
  }
}
