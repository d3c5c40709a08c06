import { createRequire } from 'node:module'

/**
 * The yaml library through require: it ships CommonJS for Node, and an ES module import of it has
 * Node scan its modules for their exports on every run, a quarter more load time. Types still
 * come from `import type ... from 'yaml'`; the values are the same module either way.
 */
const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml')

export const { Document, isMap, isScalar, isSeq, parseDocument, Scalar, visit } = yaml
