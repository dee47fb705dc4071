/**
 * The entities of one document front end: which typenames are entities and how they are keyed
 * (the config's `keys`, else `id`/`_id`), and the keys of entities, fields and links.
 * @internal
 */
import type * as D from "../../Documents.js"
import type { EntityConfig } from "../../Normalize.js"
import * as keys from "../keys.js"
import type { State } from "../state.js"
import type { Link } from "../store.js"
import type { Variables } from "./compile.js"

type Data = Record<string, unknown>

/** The entity configs and keys of one front end. @internal */
export const makeEntities = (config: D.Options, state: State) => {
  const store = state.store
  const entityConfigs = new Map<string, EntityConfig | null>()
  /** Bumped when a typename becomes known (fragment matching without a schema depends on it). */
  let generation = 0

  const entityConfig = (typename: string): EntityConfig | undefined => {
    let found = entityConfigs.get(typename)
    if (found === undefined) {
      if (typename === keys.ROOT || typename === "Mutation" || typename === "Subscription") found = null
      else if (config.keys !== undefined && Object.prototype.hasOwnProperty.call(config.keys, typename)) {
        const generator = config.keys[typename]
        found = generator === null || generator === undefined
          ? null
          : { typename, keys: generator as unknown as (entity: never) => string | null | undefined }
      } else {
        found = {
          typename,
          keys: ((entity: Data) => (entity.id ?? entity._id) as string | undefined) as unknown as EntityConfig["keys"]
        }
      }
      entityConfigs.set(typename, found)
      generation++
      if (found !== null && !state.compiler.entities.has(typename)) state.compiler.entities.set(typename, found)
    }
    return found ?? undefined
  }

  const keyOfEntity = (entity: D.Entity | null | undefined): string | null => {
    if (entity === null || entity === undefined) return null
    if (typeof entity === "string") return entity
    const typename = entity.__typename
    if (typeof typename !== "string") return null
    if (typename === keys.ROOT) return keys.ROOT
    const found = entityConfig(typename)
    return found === undefined ? null : keys.entityKey(found, entity) ?? null
  }

  const keyOfField = (fieldName: string, args?: Variables | null): string =>
    keys.fieldKey(fieldName, (args ?? undefined) as never)

  const linkOf = (input: D.LinkInput): Link => {
    if (input === null || input === undefined) return null
    if (Array.isArray(input)) return input.map(linkOf)
    return keyOfEntity(input as D.Entity)
  }

  const nodeOf = (entity: D.Entity | null | undefined) => {
    const key = keyOfEntity(entity)
    return key === null ? undefined : store.nodes.get(key)
  }

  /** Whether a typename names a concrete (keyed or known) type. */
  const isConcrete = (typename: string): boolean =>
    (config.keys !== undefined && typename in config.keys) || state.compiler.entities.has(typename) ||
    entityConfigs.has(typename)

  return {
    entityConfig,
    isConcrete,
    /** Bumped each time a typename becomes known. */
    generation: () => generation,
    keyOfEntity,
    keyOfField,
    linkOf,
    nodeOf
  }
}

/** @internal */
export type Entities = ReturnType<typeof makeEntities>
