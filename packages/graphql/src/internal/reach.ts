/**
 * Whether an operation can meet a cached field at all (through any fragment, at any depth, on
 * any possible type); one walk per schema, document and operation name.
 * @internal
 */
import type { DocumentNode, FragmentDefinitionNode, GraphQLNamedType, GraphQLSchema, SelectionSetNode } from "graphql"
import { getNamedType, getOperationAST, isAbstractType, isObjectType, Kind } from "graphql"

import { specOf } from "./schema.js"

const memo = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, boolean>>>()

/** Whether the operation selects a cached field anywhere. @internal */
export const reachesCache = (
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined
): boolean => {
  let byDocument = memo.get(schema)
  if (byDocument === undefined) {
    byDocument = new WeakMap()
    memo.set(schema, byDocument)
  }
  let byName = byDocument.get(document)
  if (byName === undefined) {
    byName = new Map()
    byDocument.set(document, byName)
  }
  const name = operationName ?? ""
  let found = byName.get(name)
  if (found === undefined) {
    found = walk(schema, document, operationName)
    byName.set(name, found)
  }
  return found
}

const walk = (schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): boolean => {
  const operation = getOperationAST(document, operationName)
  if (operation === null || operation === undefined) return true
  const root = schema.getRootType(operation.operation)
  if (root === undefined || root === null) return true
  const fragments = new Map<string, FragmentDefinitionNode>()
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition)
  }
  const seen = new Set<string>()
  const visit = (type: GraphQLNamedType, set: SelectionSetNode): boolean => {
    const objects = isAbstractType(type) ? schema.getPossibleTypes(type) : isObjectType(type) ? [type] : []
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        for (const object of objects) {
          const field = object.getFields()[selection.name.value]
          if (field === undefined) continue
          if (specOf(field) !== undefined) return true
          if (selection.selectionSet !== undefined) {
            const key = `${object.name}.${field.name}:${selection.loc?.start ?? ""}`
            if (seen.has(key)) continue
            seen.add(key)
            if (visit(getNamedType(field.type), selection.selectionSet)) return true
          }
        }
      } else {
        const definition = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection
        if (definition === undefined) continue
        const condition = definition.typeCondition === undefined
          ? type
          : schema.getType(definition.typeCondition.name.value)
        if (condition === undefined || condition === null) continue
        const key = selection.kind === Kind.FRAGMENT_SPREAD ? `...${selection.name.value}@${type.name}` : undefined
        if (key !== undefined) {
          if (seen.has(key)) continue
          seen.add(key)
        }
        if (visit(condition, definition.selectionSet)) return true
      }
    }
    return false
  }
  return visit(root, operation.selectionSet)
}
