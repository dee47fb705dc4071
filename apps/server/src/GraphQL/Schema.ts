/**
 * The blog's GraphQL schema (code-first), on the same services, repositories and validations
 * as the REST endpoints. Resolvers return Effects: reads go through the batched `Loaders`,
 * writes through the `Users`, `Posts` and `Comments` services (so REST and GraphQL share
 * rules and invalidation). Cached fragments: `Query.post`, `Query.user`, `Post.author`,
 * `Post.comments` and `User.posts`, tagged by `@cachet/graphql` from what they show
 * (`Post/<id>/$fields`, `Post/<id>/comments`, ...): the vocabulary of `Tags.ts`, which the REST
 * reads and every write use too.
 *
 * @since 0.1.0
 */
import { GraphQLCache } from "@cachet/graphql"
import { Validate } from "@cachet/validate"
import { DateTime, Effect, Option } from "effect"
import {
  GraphQLBoolean,
  GraphQLError,
  GraphQLID,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString
} from "graphql"

import { Comments } from "../Comments.js"
import type { Comment } from "../Domain/Comment.js"
import { canonicalize } from "../Domain/Ids.js"
import type { Post, PostSummary } from "../Domain/Post.js"
import type { User } from "../Domain/User.js"
import { Posts } from "../Posts.js"
import { PostsRepo } from "../Posts/Repo.js"
import { tags } from "../Tags.js"
import { Users } from "../Users.js"
import { Loaders } from "./Loaders.js"

/** A typed failure of a service as the GraphQL error a client sees. */
const toGraphQLError = (error: { readonly _tag: string; readonly message: string }): GraphQLError => {
  if (error._tag === "ValidationFailed") {
    const { errors } = error as unknown as { readonly errors: ReadonlyArray<Validate.ValidationIssue> }
    return new GraphQLError(error.message, { extensions: { code: "BAD_USER_INPUT", errors } })
  }
  if (error._tag.endsWith("NotFound")) {
    return new GraphQLError(error.message || error._tag, { extensions: { code: "NOT_FOUND" } })
  }
  return new GraphQLError(error.message, { extensions: { code: "INTERNAL_SERVER_ERROR" } })
}

const graphqlErrors = <A, E extends { readonly _tag: string; readonly message: string }, R>(
  effect: Effect.Effect<A, E, R>
) => Effect.mapError(effect, toGraphQLError)

const badInput = (field: string, message: string) =>
  new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", errors: [{ field, rule: "custom", message }] } })

/** An id argument in canonical form, or none (an id that names nothing). */
const idArg = (id: string): Option.Option<string> => canonicalize(id)

const iso = (value: DateTime.DateTime) => DateTime.formatIso(value)

const timestamps = {
  createdAt: {
    type: new GraphQLNonNull(GraphQLString),
    resolve: (row: { readonly createdAt: DateTime.DateTime }) => iso(row.createdAt)
  },
  updatedAt: {
    type: new GraphQLNonNull(GraphQLString),
    resolve: (row: { readonly updatedAt: DateTime.DateTime }) => iso(row.updatedAt)
  }
}

const UserType: GraphQLObjectType = new GraphQLObjectType<User>({
  name: "User",
  fields: () => ({
    id: { type: new GraphQLNonNull(GraphQLID) },
    name: { type: new GraphQLNonNull(GraphQLString) },
    email: { type: new GraphQLNonNull(GraphQLString) },
    ...timestamps,
    posts: {
      type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(PostType))),
      description: "Newest first. Cached per user; a new post of theirs invalidates it (`User/<id>/posts`).",
      extensions: GraphQLCache.cacheFragment(),
      resolve: (user) => Effect.flatMap(Loaders, (loaders) => loaders.postsOf(user.id))
    }
  })
})

const PostType: GraphQLObjectType = new GraphQLObjectType<Post | PostSummary>({
  name: "Post",
  fields: () => ({
    id: { type: new GraphQLNonNull(GraphQLID) },
    title: { type: new GraphQLNonNull(GraphQLString) },
    body: {
      type: new GraphQLNonNull(GraphQLString),
      resolve: (post) =>
        "body" in post
          ? post.body
          : Effect.flatMap(Loaders, (loaders) =>
            Effect.map(
              loaders.post(post.id),
              Option.match({ onNone: () => "", onSome: (full) => full.body })
            ))
    },
    ...timestamps,
    author: {
      type: new GraphQLNonNull(UserType),
      description: "Cached per post; their profile changes invalidate it.",
      extensions: GraphQLCache.cacheFragment(),
      resolve: (post) =>
        Effect.flatMap(Loaders, (loaders) =>
          Effect.flatMap(
            loaders.user(post.userId),
            Option.match({
              onNone: () => Effect.dieMessage(`post ${post.id} has no author`),
              onSome: Effect.succeed
            })
          ))
    },
    comments: {
      type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(CommentType))),
      description: "Oldest first. Cached per post; a new or deleted comment invalidates it.",
      extensions: GraphQLCache.cacheFragment(),
      resolve: (post) => Effect.flatMap(Loaders, (loaders) => loaders.commentsOf(post.id))
    }
  })
})

const CommentType: GraphQLObjectType = new GraphQLObjectType<Comment>({
  name: "Comment",
  fields: () => ({
    id: { type: new GraphQLNonNull(GraphQLID) },
    body: { type: new GraphQLNonNull(GraphQLString) },
    createdAt: timestamps.createdAt,
    author: {
      type: new GraphQLNonNull(UserType),
      resolve: (comment) =>
        Effect.flatMap(Loaders, (loaders) =>
          Effect.flatMap(
            loaders.user(comment.authorId),
            Option.match({
              onNone: () => Effect.dieMessage(`comment ${comment.id} has no author`),
              onSome: Effect.succeed
            })
          ))
    },
    post: {
      type: new GraphQLNonNull(PostType),
      resolve: (comment) =>
        Effect.flatMap(Loaders, (loaders) =>
          Effect.flatMap(
            loaders.post(comment.postId),
            Option.match({
              onNone: () => Effect.dieMessage(`comment ${comment.id} has no post`),
              onSome: Effect.succeed
            })
          ))
    }
  })
})

const PageInfo = new GraphQLObjectType({
  name: "PageInfo",
  fields: { hasNextPage: { type: new GraphQLNonNull(GraphQLBoolean) }, endCursor: { type: GraphQLString } }
})

const PostEdge = new GraphQLObjectType<PostSummary>({
  name: "PostEdge",
  fields: {
    cursor: { type: new GraphQLNonNull(GraphQLString), resolve: (post) => post.id },
    node: { type: new GraphQLNonNull(PostType), resolve: (post) => post }
  }
})

const PostConnection = new GraphQLObjectType<
  { readonly edges: ReadonlyArray<PostSummary>; readonly hasNextPage: boolean }
>({
  name: "PostConnection",
  fields: {
    edges: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(PostEdge))) },
    pageInfo: {
      type: new GraphQLNonNull(PageInfo),
      resolve: (page) => ({ hasNextPage: page.hasNextPage, endCursor: page.edges.at(-1)?.id ?? null })
    }
  }
})

const Query = new GraphQLObjectType({
  name: "Query",
  fields: {
    user: {
      type: UserType,
      args: { id: { type: new GraphQLNonNull(GraphQLID) } },
      description: "Cached per id; a missing user is cached too, until a user with that id is created.",
      // A user's own tags come from the fields shown; a missing one's is its id's, which creating it invalidates.
      extensions: GraphQLCache.cacheFragment<unknown, { id: string }>({
        tags: (_, args, user) => user === null ? tags.User(Option.getOrElse(idArg(args.id), () => args.id)) : []
      }),
      resolve: (_, args: { id: string }) =>
        Option.match(idArg(args.id), {
          onNone: () => Effect.succeed(null),
          onSome: (id) => Effect.flatMap(Loaders, (loaders) => Effect.map(loaders.user(id), Option.getOrNull))
        })
    },
    post: {
      type: PostType,
      args: { id: { type: new GraphQLNonNull(GraphQLID) } },
      description: "Cached per id; a missing post is cached until the next new post (`Query/posts`).",
      extensions: GraphQLCache.cacheFragment<unknown, { id: string }>({
        tags: (_, __, post) => post === null ? tags.Query.posts : []
      }),
      resolve: (_, args: { id: string }) =>
        Option.match(idArg(args.id), {
          onNone: () => Effect.succeed(null),
          onSome: (id) => Effect.flatMap(Loaders, (loaders) => Effect.map(loaders.post(id), Option.getOrNull))
        })
    },
    posts: {
      type: new GraphQLNonNull(PostConnection),
      args: { first: { type: GraphQLInt, defaultValue: 20 }, after: { type: GraphQLString } },
      description: "Newest first; `after` is the `endCursor` of the previous page.",
      resolve: (_, args: { first: number; after?: string | null }) =>
        Effect.gen(function*() {
          if (args.first < 1 || args.first > 100) {
            return yield* Effect.fail(badInput("first", "First must be between 1 and 100"))
          }
          const cursor = args.after === undefined || args.after === null ? null : Option.getOrNull(idArg(args.after))
          if (args.after != null && cursor === null) {
            return yield* Effect.fail(badInput("after", "After must be a cursor"))
          }
          const rows = yield* Effect.flatMap(PostsRepo, (repo) => repo.page({ limit: args.first + 1, cursor }))
          return { edges: rows.slice(0, args.first), hasNextPage: rows.length > args.first }
        })
    }
  }
})

/** The optional arguments a mutation was given (null included: the services treat it as absent). */
const given = <K extends string>(
  args: Partial<Record<K, string | null>>,
  names: ReadonlyArray<K>
): Partial<Record<K, string | null>> => {
  const out: Partial<Record<K, string | null>> = {}
  for (const name of names) if (args[name] !== undefined) out[name] = args[name]
  return out
}

const Mutation = new GraphQLObjectType({
  name: "Mutation",
  fields: {
    createUser: {
      type: new GraphQLNonNull(UserType),
      args: { name: { type: new GraphQLNonNull(GraphQLString) }, email: { type: new GraphQLNonNull(GraphQLString) } },
      resolve: (_, args: { name: string; email: string }) =>
        graphqlErrors(Effect.flatMap(Users, (users) => users.create(args)))
    },
    updateUser: {
      type: new GraphQLNonNull(UserType),
      args: {
        id: { type: new GraphQLNonNull(GraphQLID) },
        name: { type: GraphQLString },
        email: { type: GraphQLString }
      },
      resolve: (_, args: { id: string; name?: string | null; email?: string | null }) =>
        graphqlErrors(Effect.flatMap(Users, (users) => users.update(args.id, given(args, ["name", "email"]))))
    },
    deleteUser: {
      type: new GraphQLNonNull(GraphQLBoolean),
      args: { id: { type: new GraphQLNonNull(GraphQLID) } },
      resolve: (_, args: { id: string }) =>
        graphqlErrors(Effect.as(Effect.flatMap(Users, (users) => users.remove(args.id)), true))
    },
    createPost: {
      type: new GraphQLNonNull(PostType),
      args: {
        userId: { type: new GraphQLNonNull(GraphQLID) },
        title: { type: new GraphQLNonNull(GraphQLString) },
        body: { type: new GraphQLNonNull(GraphQLString) }
      },
      resolve: (_, args: { userId: string; title: string; body: string }) =>
        graphqlErrors(
          Effect.flatMap(Posts, (posts) => posts.create(args.userId, { title: args.title, body: args.body }))
        )
    },
    updatePost: {
      type: new GraphQLNonNull(PostType),
      args: {
        id: { type: new GraphQLNonNull(GraphQLID) },
        title: { type: GraphQLString },
        body: { type: GraphQLString }
      },
      resolve: (_, args: { id: string; title?: string | null; body?: string | null }) =>
        graphqlErrors(Effect.flatMap(Posts, (posts) => posts.update(args.id, given(args, ["title", "body"]))))
    },
    addComment: {
      type: new GraphQLNonNull(CommentType),
      args: {
        postId: { type: new GraphQLNonNull(GraphQLID) },
        authorId: { type: new GraphQLNonNull(GraphQLID) },
        body: { type: new GraphQLNonNull(GraphQLString) }
      },
      resolve: (_, args: { postId: string; authorId: string; body: string }) =>
        graphqlErrors(
          Effect.flatMap(Comments, (comments) =>
            comments.create(args.postId, { authorId: args.authorId, body: args.body }))
        )
    },
    deleteComment: {
      type: new GraphQLNonNull(GraphQLBoolean),
      args: { id: { type: new GraphQLNonNull(GraphQLID) } },
      resolve: (_, args: { id: string }) =>
        graphqlErrors(Effect.as(Effect.flatMap(Comments, (comments) => comments.remove(args.id)), true))
    }
  }
})

/**
 * The blog's schema, with the services its resolvers need.
 *
 * @since 0.1.0
 * @category schema
 */
export const schema = GraphQLCache.typed<Loaders | PostsRepo | Users | Posts | Comments>(
  new GraphQLSchema({ query: Query, mutation: Mutation })
)
