/** An error shaped like a token endpoint's answer. */
export function endpointError(status: number, error?: string, retryAfter?: number): Error {
  return Object.assign(new Error(`token endpoint answered ${status}`), { status, error, retryAfter })
}
