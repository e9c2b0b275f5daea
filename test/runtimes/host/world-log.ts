/** One request to a world's resource routes (`/api/…`, `/open/…`, `/redirect`), as the host saw it. */
export interface ResourceRecord {
  /** Which origin served it. */
  readonly host: 'a' | 'b'
  readonly method: string
  /** Path and query under the world, e.g. `/api/echo?x=1`. */
  readonly path: string
  /** Every `Authorization` field received (a well-behaved client sends at most one). */
  readonly authorizations: readonly string[]
  /** The body as text. */
  readonly body: string
  readonly contentType: string | null
  readonly status: number
}

/** One call of a world's token endpoint. */
export interface TokenRequestRecord {
  readonly grantType: string | null
  /** `client_secret_basic`, `client_secret_post` or `none`, as the host read the request. */
  readonly clientAuth: string
  readonly scope: string | null
  /** The status answered: 200, or 400/401 for a refused request. */
  readonly status: number
}

/** What `GET /w/<id>/control/log` answers. */
export interface WorldLog {
  readonly requests: readonly ResourceRecord[]
  readonly tokenRequests: readonly TokenRequestRecord[]
}

/** What `POST /worlds` answers: a world of its own for one test case. */
export interface WorldInfo {
  readonly id: string
  readonly clientId: string
  readonly clientSecret: string
}
