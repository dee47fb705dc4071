import { Documents, EntityGraph, Normalize } from "@cachet/normalize"
import { Context, Effect, Layer, Schema } from "effect"

export const Author = Normalize.entity(
  Schema.Struct({ id: Schema.String, name: Schema.String }),
  { typename: "Author" }
)

export const Post = Normalize.entity(
  Schema.Struct({ id: Schema.String, title: Schema.String, author: Author }),
  { typename: "Post" }
)

export const Posts = Schema.Array(Post)

export const Todo = Normalize.entity(
  Schema.Struct({ id: Schema.String, text: Schema.String, favorite: Schema.Boolean }),
  { typename: "Todo" }
)

export const Todos = Schema.Array(Todo)

export const TodoFavorite = Normalize.entity(
  Schema.Struct({ id: Schema.String, favorite: Schema.Boolean }),
  { typename: "Todo" }
)

export const todo = (id: string, text = `todo ${id}`, favorite = false) => ({ id, text, favorite })

/** A graph (`EntityGraph.layer`) and the documents front end over it, built in the test's scope. */
export const documentsSetup = (config: Documents.Options = {}) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(Documents.layer(config).pipe(Layer.provideMerge(EntityGraph.layer())))
    const graph = Context.get(context, EntityGraph.EntityGraph)
    const docs = Context.get(context, Documents.Documents)
    return { graph, docs }
  })
