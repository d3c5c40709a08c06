/**
 * The yaml library's values, imported in one place. The CLI's bundle carries the library in one
 * chunk (docs/architecture.md, "Build"), which loads in about half the time of Node reading its
 * hundred files from node_modules.
 */
export { Document, isMap, isScalar, isSeq, parseDocument, Scalar, visit } from 'yaml'
