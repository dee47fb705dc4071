/**
 * What the document front end reads of an introspected schema: which fields are nullable, the
 * named type of each field, and which concrete types an interface or union has.
 * @internal
 */

/** A type reference of an introspection result. @internal */
export interface TypeRef {
  readonly kind: string
  readonly name?: string | null | undefined
  readonly ofType?: TypeRef | null | undefined
}

/** The part of an introspection result (`{ __schema }`) the front end reads. @internal */
export interface Introspection {
  readonly __schema: {
    readonly queryType?: { readonly name: string } | null | undefined
    readonly mutationType?: { readonly name: string } | null | undefined
    readonly subscriptionType?: { readonly name: string } | null | undefined
    readonly types: ReadonlyArray<{
      readonly kind: string
      readonly name: string
      readonly fields?: ReadonlyArray<{ readonly name: string; readonly type: TypeRef }> | null | undefined
      readonly possibleTypes?: ReadonlyArray<{ readonly name: string }> | null | undefined
      readonly interfaces?: ReadonlyArray<{ readonly name: string }> | null | undefined
    }>
  }
}

/** A field's type: nullable or not, a list or not (with its item's nullability), its named type. @internal */
export interface FieldType {
  readonly nullable: boolean
  readonly list: boolean
  readonly itemNullable: boolean
  readonly named: string | undefined
  /** Whether the named type is an object type (not an interface or union). */
  readonly concrete: boolean
}

/** @internal */
export interface SchemaInfo {
  readonly field: (typename: string, fieldName: string) => FieldType | undefined
  /** Whether the concrete type `typename` matches the type condition `condition`. */
  readonly matches: (condition: string, typename: string) => boolean
  readonly isAbstract: (typename: string) => boolean
}

const describe = (ref: TypeRef, kinds: Map<string, string>): FieldType => {
  let current: TypeRef = ref
  let nullable = true
  if (current.kind === "NON_NULL" && current.ofType) {
    nullable = false
    current = current.ofType
  }
  let list = false
  let itemNullable = true
  if (current.kind === "LIST" && current.ofType) {
    list = true
    current = current.ofType
    if (current.kind === "NON_NULL" && current.ofType) {
      itemNullable = false
      current = current.ofType
    }
    while (current.ofType) current = current.ofType
  }
  const named = current.name ?? undefined
  return { nullable, list, itemNullable, named, concrete: named !== undefined && kinds.get(named) === "OBJECT" }
}

/** @internal */
export const make = (introspection: Introspection): SchemaInfo => {
  const kinds = new Map<string, string>()
  const fields = new Map<string, Map<string, FieldType>>()
  const possible = new Map<string, Set<string>>()
  const schema = introspection.__schema
  for (const type of schema.types) kinds.set(type.name, type.kind)
  for (const type of schema.types) {
    if (type.fields) {
      const map = new Map<string, FieldType>()
      for (const field of type.fields) map.set(field.name, describe(field.type, kinds))
      fields.set(type.name, map)
    }
    if (type.possibleTypes) possible.set(type.name, new Set(type.possibleTypes.map((t) => t.name)))
  }
  const rename = (name: string): string =>
    name === schema.queryType?.name ? "Query" : name === schema.mutationType?.name ?
      "Mutation" :
      name === schema.subscriptionType?.name
      ? "Subscription"
      : name
  const byRoot = new Map<string, Map<string, FieldType>>()
  for (const [name, map] of fields) byRoot.set(rename(name), map)
  return {
    field: (typename, fieldName) => byRoot.get(typename)?.get(fieldName),
    matches: (condition, typename) => condition === typename || possible.get(condition)?.has(typename) === true,
    isAbstract: (typename) => kinds.get(typename) === "INTERFACE" || kinds.get(typename) === "UNION"
  }
}
