/**
 * A small code-first blog schema over in-memory rows, with resolver call counters, for the
 * fragment cache's tests. Field options are passed in, so each test marks what it needs.
 */
import { Effect } from "effect"
import {
  GraphQLID,
  GraphQLInt,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  GraphQLUnionType
} from "graphql"

import { GraphQLCache } from "../src/index.js"

export interface UserRow {
  id: string
  name: string
}
export interface PostRow {
  id: string
  title: string
  userId: string
  updatedAt: string
}
export interface CommentRow {
  id: string
  postId: string
  authorId: string
  body: string
}

export type Marks = Partial<
  Record<
    "post" | "posts" | "user" | "me" | "author" | "comments" | "title" | "search" | "node" | "summary" | "userPosts",
    GraphQLCache.FragmentOptions<any, any, any> | undefined
  >
>

export const makeBlog = (marks: Marks = {}, options: { readonly extraField?: boolean } = {}) => {
  const users: Array<UserRow> = [
    { id: "1", name: "Ada" },
    { id: "2", name: "Bob" },
    { id: "3", name: "Cy" }
  ]
  const posts: Array<PostRow> = Array.from({ length: 60 }, (_, i) => ({
    id: String(i + 1),
    title: `Post ${i + 1}`,
    userId: String((i % 3) + 1),
    updatedAt: "2026-01-01T00:00:00.000Z"
  }))
  const comments: Array<CommentRow> = posts.flatMap((post) => [
    { id: `${post.id}-a`, postId: post.id, authorId: "2", body: `first on ${post.id}` },
    { id: `${post.id}-b`, postId: post.id, authorId: "3", body: `second on ${post.id}` }
  ])
  const calls = new Map<string, number>()
  const count = (name: string) => calls.set(name, (calls.get(name) ?? 0) + 1)
  const mark = (name: keyof Marks) =>
    marks[name] === undefined ? {} : { extensions: GraphQLCache.cacheFragment(marks[name]) }
  const failing = { comment: "" }

  const Node: GraphQLInterfaceType = new GraphQLInterfaceType({
    name: "Node",
    fields: () => ({ id: { type: new GraphQLNonNull(GraphQLID) }, summary: { type: GraphQLString } }),
    resolveType: (value: { kind: string }) => value.kind
  })
  const User: GraphQLObjectType = new GraphQLObjectType<UserRow>({
    name: "User",
    interfaces: [Node],
    fields: () => ({
      id: { type: new GraphQLNonNull(GraphQLID) },
      name: {
        type: GraphQLString,
        resolve: (user) => {
          count("User.name")
          return user.name
        }
      },
      summary: {
        type: GraphQLString,
        ...mark("summary"),
        resolve: (user) => {
          count("User.summary")
          return `user ${user.name}`
        }
      },
      posts: {
        type: new GraphQLList(Post),
        ...mark("userPosts"),
        resolve: (user) => {
          count("User.posts")
          return posts.filter((post) => post.userId === user.id)
        }
      }
    })
  })
  const Comment: GraphQLObjectType = new GraphQLObjectType<CommentRow>({
    name: "Comment",
    fields: () => ({
      id: { type: new GraphQLNonNull(GraphQLID) },
      body: {
        type: GraphQLString,
        resolve: (comment) => {
          count("Comment.body")
          if (failing.comment === comment.id) throw new Error("comment body unavailable")
          return comment.body
        }
      },
      author: {
        type: User,
        resolve: (comment) =>
          Effect.sync(() => {
            count("Comment.author")
            return users.find((user) => user.id === comment.authorId) ?? null
          })
      }
    })
  })
  const Post: GraphQLObjectType = new GraphQLObjectType<PostRow>({
    name: "Post",
    interfaces: [Node],
    fields: () => ({
      id: { type: new GraphQLNonNull(GraphQLID) },
      updatedAt: { type: GraphQLString },
      title: {
        type: GraphQLString,
        ...mark("title"),
        args: { upper: { type: GraphQLString } },
        resolve: (post, args: { upper?: string }) => {
          count("Post.title")
          return args.upper === "yes" ? post.title.toUpperCase() : post.title
        }
      },
      summary: {
        type: GraphQLString,
        ...mark("summary"),
        resolve: (post) => {
          count("Post.summary")
          return `post ${post.title}`
        }
      },
      author: {
        type: User,
        ...mark("author"),
        resolve: (post) => {
          count("Post.author")
          return Promise.resolve(users.find((user) => user.id === post.userId) ?? null)
        }
      },
      comments: {
        type: new GraphQLList(Comment),
        ...mark("comments"),
        args: { first: { type: GraphQLInt }, trace: { type: GraphQLString } },
        resolve: (post, args: { first?: number }) =>
          Effect.sync(() => {
            count("Post.comments")
            const all = comments.filter((comment) => comment.postId === post.id)
            return args.first === undefined ? all : all.slice(0, args.first)
          })
      }
    })
  })
  const SearchResult = new GraphQLUnionType({
    name: "SearchResult",
    types: [Post, User],
    resolveType: (value: { title?: string }) => (value.title === undefined ? "User" : "Post")
  })
  const Query = new GraphQLObjectType({
    name: "Query",
    fields: () => ({
      post: {
        type: Post,
        ...mark("post"),
        args: { id: { type: new GraphQLNonNull(GraphQLID) }, trace: { type: GraphQLString } },
        resolve: (_, args: { id: string }) => {
          count("Query.post")
          return posts.find((post) => post.id === args.id) ?? null
        }
      },
      posts: {
        type: new GraphQLList(Post),
        ...mark("posts"),
        args: { limit: { type: GraphQLInt } },
        resolve: (_, args: { limit?: number }) => {
          count("Query.posts")
          return posts.slice(0, args.limit ?? 20)
        }
      },
      user: {
        type: User,
        ...mark("user"),
        args: { id: { type: new GraphQLNonNull(GraphQLID) } },
        resolve: (_, args: { id: string }) => {
          count("Query.user")
          return users.find((user) => user.id === args.id) ?? null
        }
      },
      me: {
        type: User,
        ...mark("me"),
        resolve: (_, __, context: { userId?: string }) => {
          count("Query.me")
          return users.find((user) => user.id === context.userId) ?? null
        }
      },
      search: {
        type: SearchResult,
        ...mark("search"),
        args: { term: { type: new GraphQLNonNull(GraphQLString) } },
        resolve: (_, args: { term: string }) => {
          count("Query.search")
          return users.find((user) => user.name === args.term) ?? posts.find((post) => post.title === args.term) ?? null
        }
      },
      node: {
        type: Node,
        ...mark("node"),
        args: { kind: { type: new GraphQLNonNull(GraphQLString) }, id: { type: new GraphQLNonNull(GraphQLID) } },
        resolve: (_, args: { kind: string; id: string }) => {
          count("Query.node")
          const row = args.kind === "User"
            ? users.find((user) => user.id === args.id)
            : posts.find((post) => post.id === args.id)
          return row === undefined ? null : { ...row, kind: args.kind }
        }
      },
      nodes: {
        type: new GraphQLList(Node),
        resolve: () => [{ ...users[0]!, kind: "User" }, { ...posts[0]!, kind: "Post" }]
      },
      ...(options.extraField === true ? { extra: { type: GraphQLString } } : {})
    })
  })
  const Mutation = new GraphQLObjectType({
    name: "Mutation",
    fields: {
      addComment: {
        type: Comment,
        args: { postId: { type: new GraphQLNonNull(GraphQLID) }, body: { type: new GraphQLNonNull(GraphQLString) } },
        resolve: (_, args: { postId: string; body: string }) => {
          const comment = {
            id: `${args.postId}-${comments.length}`,
            postId: args.postId,
            authorId: "1",
            body: args.body
          }
          comments.push(comment)
          return comment
        }
      },
      renameUsers: {
        type: new GraphQLList(User),
        args: {
          ids: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(GraphQLID))) },
          name: { type: new GraphQLNonNull(GraphQLString) }
        },
        resolve: (_, args: { ids: ReadonlyArray<string>; name: string }) =>
          users.filter((user) => args.ids.includes(user.id)).map((user) => {
            user.name = args.name
            return user
          })
      }
    }
  })
  const schema = GraphQLCache.typed(new GraphQLSchema({ query: Query, mutation: Mutation, types: [User, Post] }))
  return { schema, users, posts, comments, calls, failing }
}
