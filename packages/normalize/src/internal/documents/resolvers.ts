/**
 * The document compiler of one front end, wired to its config: local resolvers (called with the
 * parent's data and a read-only cache), pagination specs, the entity configs and list names.
 * @internal
 */
import type * as D from "../../Documents.js"
import type { State } from "../state.js"
import { NONE } from "../store.js"
import type { Compiled, PaginationSpec } from "./compile.js"
import { makeCompiler } from "./compile.js"
import type { Entities } from "./entities.js"
import { PaginationTypeId } from "./paginationConfig.js"
import type * as schemaInfo from "./schema.js"

/** The compiler of one front end; `onList` hears each `@list` name a document declares. @internal */
export const makeDocumentCompiler = (
  config: D.Options,
  state: State,
  entities: Entities,
  schema: schemaInfo.SchemaInfo | undefined,
  onList: (name: string, parent: string | undefined, fieldName: string) => void
) => {
  const store = state.store
  const specs = new Map<string, Map<string, PaginationSpec>>()
  for (const [typename, fields] of Object.entries(config.resolvers ?? {})) {
    for (const [fieldName, resolver] of Object.entries(fields)) {
      if (typeof resolver === "function") continue
      const spec = resolver[PaginationTypeId]
      if (spec === undefined) continue
      let map = specs.get(typename)
      if (map === undefined) specs.set(typename, map = new Map())
      map.set(fieldName, spec)
    }
  }

  let resolverCache: D.Cache | undefined
  const resolving = Object.values(config.resolvers ?? {}).some((fields) =>
    Object.values(fields).some((resolver) => typeof resolver === "function")
  )
  const parentData = (key: string | undefined): D.DataObject => {
    const node = key === undefined ? undefined : store.nodes.get(key)
    const out: D.DataObject = {}
    if (node === undefined) return out
    for (const fk of store.fieldKeys(node)) {
      const link = store.getLink(node, fk)
      const value = link === NONE ? store.getRecord(node, fk) : link
      if (value !== NONE) out[fk] = value as D.DataField
    }
    const typename = store.typenameAt(node.key)
    if (typename !== undefined) out.__typename = typename
    return out
  }

  const compiler = makeCompiler({
    resolving,
    resolver: (typename, fieldName) => {
      const resolver = config.resolvers?.[typename]?.[fieldName]
      if (typeof resolver !== "function") return undefined
      return (parentKey, args, isLink) => {
        const value = resolver(parentData(parentKey), args, resolverCache!, {
          parentTypeName: typename,
          parentKey: parentKey ?? typename,
          parentFieldKey: entities.keyOfField(fieldName, args),
          fieldName,
          variables: args,
          optimistic: false
        })
        return isLink && value !== undefined ? entities.linkOf(value as D.LinkInput) : value
      }
    },
    entity: entities.entityConfig,
    schema,
    isConcrete: entities.isConcrete,
    generation: entities.generation,
    pagination: (typename, fieldName) => specs.get(typename)?.get(fieldName),
    paginated: specs.size > 0,
    onList
  })

  const compile = (document: D.DocumentInput<unknown, unknown>, fragmentName?: string): Compiled =>
    compiler.compile(document as string, fragmentName)

  return {
    compile,
    /** The pagination specs of the config's resolvers, by typename and field name. */
    specs,
    /** Sets the read-only cache given to local resolvers. */
    setResolverCache: (cache: D.Cache) => void (resolverCache = cache)
  }
}
