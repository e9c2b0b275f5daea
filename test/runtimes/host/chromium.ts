/** How to get a Chromium here: Playwright's own builds come from a CDN these machines cannot reach. */
export const CHROMIUM_INSTALL = 'apt-get update && apt-get install -y chromium (Debian), or set CHROMIUM_PATH to a Chromium or Chrome binary'

/** The Chromium binary the browser run drives: `CHROMIUM_PATH`, else Debian's. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
}
