/**
 * t87s's API over Cachet: `QueryCache`, `at`, `wild`, `createPrimitives`, `MemoryAdapter`,
 * and `CachetAdapter` to run it on any Cachet store.
 *
 * @since 0.1.0
 */
export { CachetAdapter, type CachetAdapterOptions } from "./CachetAdapter.js"
export { type Duration, parseDuration } from "./Duration.js"
export { MemoryAdapter, type MemoryAdapterOptions, serializeTag } from "./MemoryAdapter.js"
export {
  createPrimitives,
  createQueryPromise,
  type Primitives,
  type PrimitivesOptions,
  type QueryOptions as PrimitivesQueryOptions,
  type SetOptions
} from "./Primitives.js"
export {
  type QueriesToMethods,
  QueryCache,
  type QueryCacheClient,
  type QueryCacheOptions,
  type QueryRecord,
  type SchemaToTags,
  type TypedQueryDef
} from "./QueryCache.js"
export {
  at,
  type AtBuilder,
  type AtNode,
  isTypedTag,
  type Level,
  type Named,
  type SchemaNode,
  SchemaTypeId,
  type TagsOf,
  TagTypeId,
  type TypedTag,
  type Wild,
  wild,
  type WildBuilder,
  type WildNode
} from "./Schema.js"
export type { CacheEntry, EntriesResult, QueryPromise, RefreshResult, StorageAdapter } from "./Types.js"
