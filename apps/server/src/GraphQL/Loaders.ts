/**
 * Batched reads for the GraphQL resolvers (Effect `RequestResolver`s over the repositories):
 * the users, posts and comment lists asked for in one execution tick are read with one SQL
 * query per kind, so a list of posts with their authors and comments costs one query per level.
 *
 * @since 0.1.0
 */
import { Effect, Option, Request, RequestResolver } from "effect"

import { CommentsRepo } from "../Comments/Repo.js"
import type { Comment } from "../Domain/Comment.js"
import type { Post } from "../Domain/Post.js"
import type { User } from "../Domain/User.js"
import { PostsRepo } from "../Posts/Repo.js"
import { UsersRepo } from "../Users/Repo.js"

class UserById extends Request.TaggedClass("UserById")<Option.Option<User>, never, { readonly id: string }> {}
class PostById extends Request.TaggedClass("PostById")<Option.Option<Post>, never, { readonly id: string }> {}
class CommentsOfPost
  extends Request.TaggedClass("CommentsOfPost")<ReadonlyArray<Comment>, never, { readonly postId: string }>
{}
class PostsOfUser extends Request.TaggedClass("PostsOfUser")<ReadonlyArray<Post>, never, { readonly userId: string }> {}

const groupBy = <A>(rows: ReadonlyArray<A>, key: (row: A) => string): Map<string, Array<A>> => {
  const groups = new Map<string, Array<A>>()
  for (const row of rows) {
    const group = groups.get(key(row))
    if (group === undefined) groups.set(key(row), [row])
    else group.push(row)
  }
  return groups
}

/**
 * The batched loaders.
 *
 * @since 0.1.0
 * @category services
 */
export class Loaders extends Effect.Service<Loaders>()("Blog/GraphQLLoaders", {
  effect: Effect.gen(function*() {
    const users = yield* UsersRepo
    const posts = yield* PostsRepo
    const comments = yield* CommentsRepo

    const byId = <
      A extends { readonly id: string },
      R extends { readonly id: string } & Request.Request<Option.Option<A>>
    >(
      load: (ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<A>>
    ) =>
      RequestResolver.makeBatched((requests: ReadonlyArray<R>) =>
        Effect.flatMap(load(requests.map((request) => request.id)), (rows) => {
          const found = new Map(rows.map((row) => [row.id, row] as const))
          return Effect.forEach(
            requests,
            (request) =>
              Request.succeed(request, Option.fromNullable(found.get(request.id)) as Request.Request.Success<R>),
            { discard: true }
          )
        })
      )

    const userResolver = byId<User, UserById>(users.findByIds)
    const postResolver = byId<Post, PostById>(posts.findByIds)
    const commentsResolver = RequestResolver.makeBatched((requests: ReadonlyArray<CommentsOfPost>) =>
      Effect.flatMap(comments.findByPosts(requests.map((request) => request.postId)), (rows) => {
        const groups = groupBy(rows, (row) => row.postId)
        return Effect.forEach(requests, (request) => Request.succeed(request, groups.get(request.postId) ?? []), {
          discard: true
        })
      })
    )
    const postsResolver = RequestResolver.makeBatched((requests: ReadonlyArray<PostsOfUser>) =>
      Effect.flatMap(posts.findByUsers(requests.map((request) => request.userId)), (rows) => {
        const groups = groupBy(rows, (row) => row.userId)
        return Effect.forEach(requests, (request) => Request.succeed(request, groups.get(request.userId) ?? []), {
          discard: true
        })
      })
    )

    return {
      user: (id: string) => Effect.request(new UserById({ id }), userResolver),
      post: (id: string) => Effect.request(new PostById({ id }), postResolver),
      commentsOf: (postId: string) => Effect.request(new CommentsOfPost({ postId }), commentsResolver),
      postsOf: (userId: string) => Effect.request(new PostsOfUser({ userId }), postsResolver)
    } as const
  }),
  dependencies: [UsersRepo.Default, PostsRepo.Default, CommentsRepo.Default]
}) {}
