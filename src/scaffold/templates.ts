import type { Route } from './shape.js'

/**
 * The service templates scaffold can write, each in its framework's own conventions. Files come in
 * two kinds: `generated` (first line says so, rewritten every run) and `user` (written once, yours).
 */

export type FileKind = 'generated' | 'user'

export interface ServiceFile {
  /** template file under templates/ (`.hbs` files are rendered, others copied) */
  src: string
  /** output path inside the service folder */
  out: string
  kind: FileKind
  /** part of the complete service skeleton: written with --init-service only */
  init?: boolean
}

interface HandlerFile {
  src: string
  out: (r: Route) => string
}

export interface TemplateDef {
  name: string
  language: 'ts' | 'py'
  /** what must exist for the service to build and run; missing ones suggest --init-service */
  skeleton: string[]
  /** dependencies the generated code imports (checked in an existing package.json / requirements.txt) */
  requires: string[]
  files: ServiceFile[]
  handlers: Record<Route['kind'], HandlerFile>
  /** the test written once beside each handler (one template for every route kind) */
  handlerTest?: HandlerFile
  /** extra generated files derived from the routes (Python package markers) */
  extra?: (routes: Route[]) => ServiceFile[]
  /** values only this template's files use (the shared README reads `devScript`, `entryPath`, `userFiles`) */
  view?: Record<string, unknown>
}

/**
 * The files every TypeScript template shares, below `base` (the webhooks folder): runtime,
 * signatures, payload types, the .env layer loader (the entry file imports it first), the test
 * runner `npm test` calls (`node dist/<base below src>/_generated/run-tests.js dist`), the README,
 * Dockerfile and .dockerignore.
 */
const TS_SHARED = (base: string): ServiceFile[] => [
  { src: '_ts/runtime.ts', out: `${base}/_generated/runtime.ts`, kind: 'generated' },
  { src: '_ts/signatures.ts', out: `${base}/_generated/signatures.ts`, kind: 'generated' },
  { src: '_ts/payloads.ts.hbs', out: `${base}/_generated/payloads.ts`, kind: 'generated' },
  { src: '_ts/env.ts.hbs', out: `${base}/_generated/env.ts`, kind: 'generated' },
  { src: '_ts/run-tests.ts', out: `${base}/_generated/run-tests.ts`, kind: 'generated' },
  { src: '_ts/README.md.hbs', out: 'README.md', kind: 'user', init: true },
  { src: '_ts/Dockerfile.hbs', out: 'Dockerfile', kind: 'user', init: true },
  { src: '_ts/dockerignore', out: '.dockerignore', kind: 'user', init: true },
]

/** The view values the shared TypeScript files read, for a service whose webhooks folder is `base`. */
const tsView = (base: string, entry: string, devScript: string, esm: boolean, userFiles: string[]) => ({
  entry: `${entry}.js`,
  entryPath: `dist/${entry}.js`,
  esm,
  devScript,
  handlersDir: `${base}/handlers`,
  generatedDir: `${base}/_generated`,
  userFiles,
})

/** Handler files of the TypeScript templates whose handlers are plain objects (express-ts, hono-ts). */
const TS_HANDLERS: TemplateDef['handlers'] = {
  trigger: { src: '_ts/handlers/trigger.ts.hbs', out: (r) => `src/webhooks/handlers/${r.tsFile}.ts` },
  cron: { src: '_ts/handlers/cron.ts.hbs', out: (r) => `src/webhooks/handlers/${r.tsFile}.ts` },
  external: { src: '_ts/handlers/external.ts.hbs', out: (r) => `src/webhooks/handlers/${r.tsFile}.ts` },
}

/** The runtime and payloads of every Python template; `runtime.py` is the framework's side of it. */
const PY_SHARED = (framework: string): ServiceFile[] => [
  { src: '_py/init.py.hbs', out: 'webhooks/__init__.py', kind: 'generated' },
  { src: '_py/init.py.hbs', out: 'webhooks/_generated/__init__.py', kind: 'generated' },
  { src: '_py/init.py.hbs', out: 'webhooks/handlers/__init__.py', kind: 'generated' },
  { src: '_py/core.py', out: 'webhooks/_generated/core.py', kind: 'generated' },
  { src: `${framework}/runtime.py`, out: 'webhooks/_generated/runtime.py', kind: 'generated' },
  { src: '_py/signatures.py', out: 'webhooks/_generated/signatures.py', kind: 'generated' },
  { src: '_py/payloads.py.hbs', out: 'webhooks/_generated/payloads.py', kind: 'generated' },
  { src: `${framework}/routes.py.hbs`, out: 'webhooks/_generated/routes.py', kind: 'generated' },
  { src: `${framework}/main.py.hbs`, out: 'main.py', kind: 'user', init: true },
  { src: `${framework}/requirements.txt`, out: 'requirements.txt', kind: 'user', init: true },
  { src: `${framework}/Dockerfile.hbs`, out: 'Dockerfile', kind: 'user', init: true },
  { src: '_py/dockerignore', out: '.dockerignore', kind: 'user', init: true },
]

const PY_HANDLERS = (framework: string): TemplateDef['handlers'] => ({
  trigger: { src: `${framework}/handlers/trigger.py.hbs`, out: (r) => `webhooks/handlers/${r.pyFile}.py` },
  cron: { src: `${framework}/handlers/cron.py.hbs`, out: (r) => `webhooks/handlers/${r.pyFile}.py` },
  external: { src: `${framework}/handlers/external.py.hbs`, out: (r) => `webhooks/handlers/${r.pyFile}.py` },
})

/** `test_<module>.py` beside a Python handler. */
function pyTestFile(r: Route): string {
  const parts = r.pyFile.split('/')
  return `webhooks/handlers/${[...parts.slice(0, -1), `test_${parts.at(-1)}`].join('/')}.py`
}

/** Every folder of a handler path is a Python package. */
function pyPackages(routes: Route[]): ServiceFile[] {
  const dirs = new Set<string>()
  for (const r of routes) {
    const parts = r.pyFile.split('/').slice(0, -1)
    for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join('/'))
  }
  return [...dirs].sort().map((d) => ({
    src: '_py/init.py.hbs',
    out: `webhooks/handlers/${d}/__init__.py`,
    kind: 'generated',
  }))
}

export const TEMPLATES: Record<string, TemplateDef> = {
  'express-ts': {
    name: 'express-ts',
    language: 'ts',
    skeleton: ['package.json', 'tsconfig.json', 'src/index.ts'],
    requires: ['express', 'zod', 'dotenv', '@types/express', 'typescript'],
    files: [
      ...TS_SHARED('src/webhooks'),
      { src: 'express-ts/routes.ts.hbs', out: 'src/webhooks/_generated/routes.ts', kind: 'generated' },
      { src: 'express-ts/index.ts.hbs', out: 'src/index.ts', kind: 'user', init: true },
      { src: 'express-ts/package.json.hbs', out: 'package.json', kind: 'user', init: true },
      { src: 'express-ts/tsconfig.json', out: 'tsconfig.json', kind: 'user', init: true },
    ],
    handlers: TS_HANDLERS,
    handlerTest: {
      src: 'express-ts/handlers/handler.test.ts.hbs',
      out: (r) => `src/webhooks/handlers/${r.tsFile}.test.ts`,
    },
    view: tsView('src/webhooks', 'index', 'dev', true, [
      'src/index.ts',
      'package.json',
      'tsconfig.json',
      'Dockerfile',
    ]),
  },
  'nest-ts': {
    name: 'nest-ts',
    language: 'ts',
    skeleton: ['package.json', 'tsconfig.json', 'src/main.ts', 'src/app.module.ts'],
    requires: [
      '@nestjs/common',
      '@nestjs/core',
      '@nestjs/platform-express',
      'reflect-metadata',
      'rxjs',
      'zod',
      'dotenv',
      '@types/express',
      'typescript',
    ],
    files: [
      ...TS_SHARED('src/webhooks'),
      {
        src: 'nest-ts/webhooks.controller.ts.hbs',
        out: 'src/webhooks/_generated/webhooks.controller.ts',
        kind: 'generated',
      },
      {
        src: 'nest-ts/webhooks-generated.module.ts.hbs',
        out: 'src/webhooks/_generated/webhooks.module.ts',
        kind: 'generated',
      },
      // yours, not only with --init-service: the AppModule imports it
      { src: 'nest-ts/webhooks.module.ts.hbs', out: 'src/webhooks/webhooks.module.ts', kind: 'user' },
      { src: 'nest-ts/main.ts.hbs', out: 'src/main.ts', kind: 'user', init: true },
      { src: 'nest-ts/app.module.ts.hbs', out: 'src/app.module.ts', kind: 'user', init: true },
      { src: 'nest-ts/health.controller.ts.hbs', out: 'src/health.controller.ts', kind: 'user', init: true },
      { src: 'nest-ts/package.json.hbs', out: 'package.json', kind: 'user', init: true },
      { src: 'nest-ts/tsconfig.json', out: 'tsconfig.json', kind: 'user', init: true },
      { src: 'nest-ts/nest-cli.json', out: 'nest-cli.json', kind: 'user', init: true },
    ],
    handlers: {
      trigger: {
        src: 'nest-ts/handlers/trigger.handler.ts.hbs',
        out: (r) => `src/webhooks/handlers/${r.tsFile}.handler.ts`,
      },
      cron: {
        src: 'nest-ts/handlers/cron.handler.ts.hbs',
        out: (r) => `src/webhooks/handlers/${r.tsFile}.handler.ts`,
      },
      external: {
        src: 'nest-ts/handlers/external.handler.ts.hbs',
        out: (r) => `src/webhooks/handlers/${r.tsFile}.handler.ts`,
      },
    },
    handlerTest: {
      src: 'nest-ts/handlers/handler.test.ts.hbs',
      out: (r) => `src/webhooks/handlers/${r.tsFile}.handler.test.ts`,
    },
    view: tsView('src/webhooks', 'main', 'start:dev', false, [
      'src/main.ts',
      'src/app.module.ts',
      'src/webhooks/webhooks.module.ts',
      'package.json',
      'tsconfig.json',
      'Dockerfile',
    ]),
  },
  'hono-ts': {
    name: 'hono-ts',
    language: 'ts',
    skeleton: ['package.json', 'tsconfig.json', 'src/index.ts', 'src/app.ts'],
    requires: ['hono', '@hono/node-server', 'zod', 'dotenv', 'typescript'],
    files: [
      ...TS_SHARED('src/webhooks'),
      { src: 'hono-ts/routes.ts.hbs', out: 'src/webhooks/_generated/routes.ts', kind: 'generated' },
      { src: 'hono-ts/app.ts.hbs', out: 'src/app.ts', kind: 'user', init: true },
      { src: 'hono-ts/index.ts.hbs', out: 'src/index.ts', kind: 'user', init: true },
      { src: 'hono-ts/package.json.hbs', out: 'package.json', kind: 'user', init: true },
      { src: 'hono-ts/tsconfig.json', out: 'tsconfig.json', kind: 'user', init: true },
    ],
    handlers: TS_HANDLERS,
    handlerTest: {
      src: 'hono-ts/handler.test.ts.hbs',
      out: (r) => `src/webhooks/handlers/${r.tsFile}.test.ts`,
    },
    view: tsView('src/webhooks', 'index', 'dev', true, [
      'src/index.ts',
      'src/app.ts',
      'package.json',
      'tsconfig.json',
      'Dockerfile',
    ]),
  },
  fastapi: {
    name: 'fastapi',
    language: 'py',
    skeleton: ['requirements.txt', 'main.py'],
    requires: ['fastapi', 'uvicorn', 'pydantic', 'python-dotenv'],
    files: [
      ...PY_SHARED('fastapi'),
      { src: '_py/env.py.hbs', out: 'webhooks/_generated/env.py', kind: 'generated' },
      { src: '_py/README.md.hbs', out: 'README.md', kind: 'user', init: true },
    ],
    handlers: PY_HANDLERS('fastapi'),
    handlerTest: {
      src: 'fastapi/handlers/test_handler.py.hbs',
      out: pyTestFile,
    },
    extra: pyPackages,
  },
  flask: {
    name: 'flask',
    language: 'py',
    skeleton: ['requirements.txt', 'main.py'],
    requires: ['flask', 'pydantic', 'python-dotenv'],
    files: [
      ...PY_SHARED('flask'),
      { src: '_py/env.py.hbs', out: 'webhooks/_generated/env.py', kind: 'generated' },
      { src: 'flask/README.md.hbs', out: 'README.md', kind: 'user', init: true },
    ],
    handlers: PY_HANDLERS('flask'),
    handlerTest: { src: 'flask/test_handler.py.hbs', out: pyTestFile },
    extra: pyPackages,
  },
}

export const SUPPORTED_TEMPLATES = Object.keys(TEMPLATES)
