/**
 * A small blog for the server plugins' tests: posts with their author and comments, a private
 * `me`, mutations, and a field that fails. Every resolver call is counted, and every
 * answer can be checked against the data.
 */
import { GraphQLCache } from "@cachet/graphql"

export interface User {
  readonly id: string
  name: string
}
export interface Comment {
  readonly id: string
  readonly postId: string
  readonly authorId: string
  readonly body: string
}
export interface Post {
  readonly id: string
  title: string
  readonly authorId: string
}

/** The SDL: `Post.author`, `Post.comments`, `posts`, `post` and `me` (per session) are cached. */
export const typeDefs = `${GraphQLCache.directiveDefinition}
  type User { id: ID! name: String! }
  type Comment { id: ID! body: String! author: User! post: Post! }
  type Post {
    id: ID!
    title: String!
    author: User! @cacheFragment
    comments: [Comment!]! @cacheFragment
    broken: String
  }
  type Query {
    posts(first: Int!): [Post!]! @cacheFragment
    post(id: ID!): Post @cacheFragment
    me: User @cacheFragment(contextKey: [])
    hello: String
  }
  type Mutation {
    renamePost(id: ID!, title: String!): Post!
    addComment(postId: ID!, body: String!): Comment!
  }`

/** The data, the resolvers and their call counts. */
export const makeBlog = () => {
  const users: Array<User> = [{ id: "1", name: "Ada" }, { id: "2", name: "Grace" }]
  const posts: Array<Post> = [1, 2, 3].map((i) => ({ id: String(i), title: `Post ${i}`, authorId: String(1 + i % 2) }))
  const comments: Array<Comment> = [
    { id: "1", postId: "1", authorId: "2", body: "First" },
    { id: "2", postId: "1", authorId: "1", body: "Second" }
  ]
  const calls: Record<string, number> = {}
  let gate: Promise<void> | undefined = undefined
  const count = (name: string) => {
    calls[name] = (calls[name] ?? 0) + 1
  }
  const user = (id: string) => users.find((u) => u.id === id)!
  const resolvers = {
    Query: {
      posts: async (_: unknown, args: { first: number }) => {
        count("Query.posts")
        if (gate !== undefined) await gate
        return posts.slice(0, args.first)
      },
      post: async (_: unknown, args: { id: string }) => {
        count("Query.post")
        return posts.find((p) => p.id === args.id) ?? null
      },
      me: (_: unknown, __: unknown, context: { readonly request: Request }) => {
        count("Query.me")
        const id = context.request.headers.get("x-user")
        return id === null ? null : user(id)
      },
      hello: () => "world"
    },
    Post: {
      author: async (post: Post) => {
        count("Post.author")
        return user(post.authorId)
      },
      comments: async (post: Post) => {
        count("Post.comments")
        return comments.filter((c) => c.postId === post.id)
      },
      title: (post: Post) => {
        count("Post.title")
        return post.title
      },
      broken: (post: Post) => {
        count("Post.broken")
        if (post.id === "2") throw new Error("the database is down")
        return `fine ${post.id}`
      }
    },
    Comment: {
      author: (comment: Comment) => {
        count("Comment.author")
        return user(comment.authorId)
      },
      post: (comment: Comment) => posts.find((p) => p.id === comment.postId)!
    },
    Mutation: {
      renamePost: (_: unknown, args: { id: string; title: string }) => {
        const post = posts.find((p) => p.id === args.id)!
        post.title = args.title
        return post
      },
      addComment: (_: unknown, args: { postId: string; body: string }) => {
        const comment = { id: String(comments.length + 1), postId: args.postId, authorId: "1", body: args.body }
        comments.push(comment)
        return comment
      }
    }
  }
  return {
    users,
    posts,
    comments,
    calls,
    resolvers,
    /** Calls so far, then reset. */
    take: () => {
      const out = { ...calls }
      for (const key of Object.keys(calls)) delete calls[key]
      return out
    },
    /** Holds `Query.posts` until the returned function is called. */
    hold: () => {
      let open = () => {}
      gate = new Promise<void>((resolve) => {
        open = resolve
      })
      return () => {
        gate = undefined
        open()
      }
    }
  }
}
