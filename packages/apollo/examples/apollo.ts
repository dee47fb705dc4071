/**
 * Apollo Server 5 with `ApolloServerPluginCachet`: `npm run example:apollo`, then
 * `curl -s localhost:4000/ -H 'content-type: application/json' -d '{"query":"{ posts { title author { name } } }"}'`
 * twice (the second answers from the cache: `extensions.cachet.hits`), and
 * `-d '{"query":"mutation { renamePost(id: \"1\", title: \"New\") { id title } }"}'` to see the next read fresh.
 * `PORT` picks another port.
 */
import { ApolloServer } from "@apollo/server"
import { startStandaloneServer } from "@apollo/server/standalone"
import { ApolloServerPluginCachet } from "@cachet/apollo"
import { Cache, MemoryStore } from "@cachet/core"
import { GraphQLCache } from "@cachet/graphql"
import { Layer } from "effect"

interface Post {
  readonly id: string
  title: string
  readonly authorId: string
}
const users = new Map([["1", { id: "1", name: "Ada" }], ["2", { id: "2", name: "Grace" }]])
const posts: Array<Post> = [{ id: "1", title: "Hello", authorId: "1" }, { id: "2", title: "Again", authorId: "2" }]

const server = new ApolloServer({
  typeDefs: `${GraphQLCache.directiveDefinition}
    type User { id: ID! name: String! }
    type Post { id: ID! title: String! author: User! @cacheFragment(ttl: "10 minutes") }
    type Query { posts: [Post!]! @cacheFragment(ttl: "1 minute") }
    type Mutation { renamePost(id: ID!, title: String!): Post! }`,
  resolvers: {
    Query: { posts: () => posts },
    Post: { author: (post: Post) => users.get(post.authorId) },
    Mutation: {
      // The post it returns (Post/1) is invalidated after it: every fragment showing it.
      renamePost: (_: unknown, args: { id: string; title: string }) => {
        const post = posts.find((p) => p.id === args.id)!
        post.title = args.title
        return post
      }
    }
  },
  // This program stops the server itself on SIGINT (and exits 0).
  stopOnTerminationSignals: false,
  plugins: [
    ApolloServerPluginCachet({
      cache: Cache.layer({ ttl: "5 minutes" }).pipe(Layer.provide(MemoryStore.layer())),
      extensions: true
    })
  ]
})

const { url } = await startStandaloneServer(server, { listen: { port: Number(process.env["PORT"] ?? 4000) } })
process.stdout.write(`Apollo Server with Cachet on ${url}\n`)
process.once("SIGINT", () => {
  void server.stop().then(() => process.exit(0))
})
