/**
 * The userinfo of a URL (`http://user:pass@host/...`), found without a URL parser: a webhook may
 * still hold `{{ENV}}` templates (`{{BASE}}/hook`, `http://{{HOST}}:8080`) that no parser accepts.
 * The authority runs from the first `//` to the next `/`, `?`, `#` or `\` (WHATWG URL reads `\` as
 * `/` in http URLs); userinfo is what precedes its last `@`.
 */
export interface UrlCredentials {
  user: string
  /** undefined for `http://user@host` */
  password: string | undefined
  /** the URL with the password (or a lone user, often a token) replaced by *** */
  masked: string
}

export function urlCredentials(url: string): UrlCredentials | undefined {
  const start = url.indexOf('//')
  if (start < 0) return undefined
  const from = start + 2
  const rest = url.slice(from)
  const end = rest.search(/[/?#\\]/)
  const authority = end < 0 ? rest : rest.slice(0, end)
  const at = authority.lastIndexOf('@')
  if (at < 0) return undefined
  const userinfo = authority.slice(0, at)
  const colon = userinfo.indexOf(':')
  const user = colon < 0 ? userinfo : userinfo.slice(0, colon)
  const password = colon < 0 ? undefined : userinfo.slice(colon + 1)
  const shown = password ? `${user}:***` : user ? '***' : ''
  return { user, password, masked: `${url.slice(0, from)}${shown}${url.slice(from + at)}` }
}

/** A URL for output: its credentials masked, everything else as it was. */
export function maskUrlCredentials(url: string): string {
  return urlCredentials(url)?.masked ?? url
}
