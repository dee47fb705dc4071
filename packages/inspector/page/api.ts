/** Requests to the admin group, with the tab's bearer token. */

/** Where the admin API is and the token to send. */
export interface Session {
  readonly api: string
  readonly token: string
}

/** A refused or failed request. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
  /** The token was refused (401) or administration is disabled (403). */
  get auth(): boolean {
    return this.status === 401 || this.status === 403
  }
}

let onAuthFailure: (error: ApiError) => void = () => {}

/** What to do when the server refuses the token (the page goes back to the token prompt). */
export const setAuthFailureHandler = (handler: (error: ApiError) => void): void => {
  onAuthFailure = handler
}

const messageOf = async (response: Response): Promise<string> => {
  const text = await response.text().catch(() => "")
  try {
    const body = JSON.parse(text) as { message?: unknown; detail?: unknown }
    if (typeof body.message === "string") return body.message
    if (typeof body.detail === "string") return body.detail
  } catch {
    // not JSON: the text itself
  }
  return text === "" ? response.statusText : text.slice(0, 200)
}

/** Calls an endpoint and decodes its JSON answer; a 401/403 also signs the tab out. */
export const request = async <A>(session: Session, path: string, init: RequestInit = {}): Promise<A> => {
  let response: Response
  try {
    response = await fetch(session.api + path, {
      ...init,
      headers: { accept: "application/json", authorization: `Bearer ${session.token}`, ...init.headers }
    })
  } catch (cause) {
    throw new ApiError(0, `the server did not answer (${cause instanceof Error ? cause.message : String(cause)})`)
  }
  if (!response.ok) {
    const error = new ApiError(response.status, await messageOf(response))
    if (error.auth) onAuthFailure(error)
    throw error
  }
  return await response.json() as A
}

/** A query string from the defined parameters. */
export const query = (params: Record<string, string | number | undefined>): string => {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== "") search.set(name, String(value))
  }
  const text = search.toString()
  return text === "" ? "" : `?${text}`
}

/** Invalidates (hard) or expires (soft) a tag. */
export const invalidate = (session: Session, tag: string, soft: boolean): Promise<unknown> =>
  request(session, "/cache/invalidate", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ tags: [tag], soft })
  })
