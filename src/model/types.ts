/** The resolved form of webhooks.config.ts that every later stage reads. Plain data, no I/O. */

export interface TableRef {
  schema: string
  name: string
}

export type Columns = '*' | string[]

export interface OperationSpec {
  columns: Columns
  payload?: Columns
}

export type Header = { name: string; value: string } | { name: string; value_from_env: string }

/**
 * Retry settings in the config's names, the same for triggers and crons; metadata/emit.ts maps
 * them to Hasura's `retry_conf` names (which differ between the two).
 */
export interface Retry {
  numRetries: number
  intervalSec: number
  timeoutSec: number
}

/** A cron also has how late a scheduled event may still be delivered. */
export interface CronRetry extends Retry {
  toleranceSec: number
}

export interface ModelTrigger {
  name: string
  source: string
  table: TableRef
  definition: {
    enable_manual: boolean
    insert?: OperationSpec
    update?: OperationSpec
    delete?: OperationSpec
  }
  /** exactly one: a URL (maybe with {{ENV}} templates) or an env name Hasura reads */
  webhook: { url: string } | { fromEnv: string }
  retry: Retry
  /** exponential backoff the generated handler asks Hasura for through Retry-After; not Hasura metadata */
  backoff?: { intervalSec: number; maxIntervalSec: number }
  headers: Header[]
  /** the route on the service, when the webhook came from `handler` */
  handler?: string
  comment?: string
}

export interface ModelCron {
  name: string
  webhook: string
  schedule: string
  payload?: unknown
  comment?: string
  includeInMetadata: boolean
  retry: CronRetry
  headers: Header[]
  handler?: string
}

type ExternalProvider = 'stripe' | 'github' | 'standard-webhooks' | 'hmac-sha256'

export interface ModelExternal {
  name: string
  provider: ExternalProvider
  secretEnv: string
  handler: string
  header?: string
  toleranceSec: number
}

export interface ModelService {
  name: string
  template: string
  port: number
  routePrefix: string
  baseUrl: string
  /** absolute path of the service folder */
  dir: string
}

export interface Model {
  /** absolute path of webhooks.config.ts */
  configFile: string
  /** the folder holding the config: the project root */
  root: string
  hasura: {
    endpoint: string
    adminSecretEnv: string
    /** absolute */
    metadataDir: string
    source: string
    /**
     * HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES is on in the project's env: Hasura then sends int8,
     * numeric, float8 and money columns as strings (docs/hasura-compatibility.md, "Payload columns")
     */
    stringifyNumericTypes?: boolean
  }
  service?: ModelService
  triggers: ModelTrigger[]
  crons: ModelCron[]
  external: ModelExternal[]
}

/** Hasura's defaults (docs/hasura-compatibility.md "Retry defaults"): event trigger retry_conf and cron retry_conf. */
export const HASURA_TRIGGER_RETRY: Retry = { numRetries: 0, intervalSec: 10, timeoutSec: 60 }
export const HASURA_CRON_RETRY: CronRetry = {
  numRetries: 0,
  intervalSec: 10,
  timeoutSec: 60,
  toleranceSec: 21600,
}
