/**
 * One tag vocabulary for REST and GraphQL. REST entries are tagged on the tree
 * `users/<id>/{profile,postList,posts/<id>/comments}` (see `BlogCache`); GraphQL fragments are
 * tagged `entity/<Type>/<id>` and `field/<Type>/<id>/<field>` by `@cachet/graphql`, and the
 * app's cached fields also carry the REST tags of what they show. Every write invalidates its
 * REST tags together with their GraphQL meaning (`graphTagsOf`), so a REST write reaches the
 * fragments it affects and a GraphQL mutation (which runs the same services) the REST entries.
 *
 * @since 0.1.0
 */
import { Tag } from "@cachet/core"
import { GraphQLCache } from "@cachet/graphql"

/**
 * The GraphQL tags that a REST tag's invalidation means:
 *
 * | REST tag | GraphQL tags |
 * | --- | --- |
 * | `users/<u>` | `entity/User/<u>`, `field/User/<u>/posts` |
 * | `users/<u>/profile` | `entity/User/<u>` |
 * | `users/<u>/postList` | `field/User/<u>/posts` |
 * | `users/<u>/posts/<p>` | `entity/Post/<p>` |
 * | `users/<u>/posts/<p>/comments` | `field/Post/<p>/comments` |
 * | `users/<u>/posts/<p>/comments/<c>` | `entity/Comment/<c>` |
 *
 * @since 0.1.0
 * @category tags
 */
export const graphTagsOf = (input: Tag.Input): ReadonlyArray<string> =>
  Tag.normalize(input).flatMap((text) => {
    const path = Tag.segments(Tag.parse(text))
    if (path[0] !== "users" || path[1] === undefined) return []
    const user = path[1]
    if (path.length === 2) return [GraphQLCache.entityTag("User", user), GraphQLCache.fieldTag("User", user, "posts")]
    if (path[2] === "profile") return [GraphQLCache.entityTag("User", user)]
    if (path[2] === "postList") return [GraphQLCache.fieldTag("User", user, "posts")]
    if (path[2] !== "posts" || path[3] === undefined) return []
    const post = path[3]
    if (path.length === 4) return [GraphQLCache.entityTag("Post", post)]
    if (path[4] === "comments" && path[5] === undefined) return [GraphQLCache.fieldTag("Post", post, "comments")]
    if (path[4] === "comments") return [GraphQLCache.entityTag("Comment", path[5]!)]
    return []
  })

/**
 * A REST tag input with its GraphQL meaning added.
 *
 * @since 0.1.0
 * @category tags
 */
export const withGraphTags = (
  input: Tag.Input
): ReadonlyArray<string> => [...Tag.normalize(input), ...graphTagsOf(input)]
