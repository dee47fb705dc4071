/**
 * The app's one tag vocabulary, shared by the REST reads and writes and the GraphQL schema:
 * `@cachet/graphql`'s entity tree (`docs/conventions.md`, "Tags"), typed.
 *
 * | tag | what an entry tagged with it shows | invalidated by |
 * | --- | --- | --- |
 * | `User/<u>` | depends on the user existing | creating or deleting the user |
 * | `User/<u>/$fields` | the user's own fields (name, email) | updating them |
 * | `User/<u>/posts` | the user's post list (`User.posts`, `GET /users/:id/posts`) | a new post of theirs |
 * | `Post/<p>/$fields` | the post's own fields (title, body) | updating them |
 * | `Post/<p>/comments` | the post's comment list (`Post.comments`, `GET /posts/:id`) | a new or deleted comment |
 * | `Comment/<c>` | the comment | deleting it |
 * | `Query/posts` | the feed's first page (`Query.posts`, `GET /posts`), a missing post | a new post |
 *
 * Invalidating `<Type>/<id>` reaches everything below it: deleting a user invalidates
 * `User/<u>` and `Post/<p>` of each of their posts.
 *
 * @since 0.1.0
 */
import { Tag } from "@cachet/core"
import { GraphQLCache } from "@cachet/graphql"

/**
 * The tag tree: one subtree per entity type of the GraphQL schema, its fields' names below.
 *
 * @since 0.1.0
 * @category tags
 */
export const tagSchema = Tag.at("User", () => Tag.wild.at(GraphQLCache.ownFields).at("posts"))
  .at("Post", () => Tag.wild.at(GraphQLCache.ownFields).at("comments"))
  .at("Comment", () => Tag.wild.at(GraphQLCache.ownFields))
  .at("Query", () => Tag.at("posts"))

/**
 * The typed tag builders: `tags.Post("7").comments` is `Post/7/comments`, the tag
 * `GraphQLCache.fieldTag("Post", "7", "comments")` puts on the fragments showing that list.
 *
 * @since 0.1.0
 * @category tags
 */
export const tags = Tag.builders(tagSchema)
