/**
 * The document front end's synchronous operations over a graph's store, composed from one
 * module per concept: entities and keys (`entities.ts`), the compiler wired to the config
 * (`resolvers.ts`), operations and fragments (`operations.ts`), field operations (`fields.ts`),
 * Houdini's lists (`lists.ts`) and urql 7's rule for unhandled mutation results (`unhandled.ts`).
 * @internal
 */
import type * as D from "../../Documents.js"
import type { Internals } from "../graph.js"
import type { Write } from "../store.js"
import { makeEntities } from "./entities.js"
import { makeFields } from "./fields.js"
import { makeLists } from "./lists.js"
import { makeOperations } from "./operations.js"
import { remerge } from "./pagination.js"
import { makeDocumentCompiler } from "./resolvers.js"
import * as schemaInfo from "./schema.js"
import { makeUnhandled } from "./unhandled.js"

/** The synchronous core of one front end over a graph's internals. @internal */
export const makeCore = (internals: Internals, config: D.Options) => {
  const { ops, state } = internals
  const store = state.store
  const schema = config.schema === undefined ? undefined : schemaInfo.make(config.schema)
  const entities = makeEntities(config, state)
  const lists = makeLists(store, entities)
  const compiler = makeDocumentCompiler(config, state, entities, schema, lists.register)
  return {
    store,
    specs: compiler.specs,
    setResolverCache: compiler.setResolverCache,
    compile: compiler.compile,
    keyOfEntity: entities.keyOfEntity,
    keyOfField: entities.keyOfField,
    ...makeOperations(ops, store, entities, schema),
    ...makeFields(ops, store, entities),
    listOp: lists.listOp,
    ...makeUnhandled(store, entities),
    remerge: (w: Write) => remerge(store, w, compiler.specs)
  }
}

/** @internal */
export type Core = ReturnType<typeof makeCore>
