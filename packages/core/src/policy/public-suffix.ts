/**
 * Second-level labels that registries of country-code TLDs sell names under (`co.uk`, `com.au`,
 * `ne.jp`, `gob.mx`, `ac.za`, …). Only labels that are nearly always a registry's: `web`, `me` or
 * `info` are left out, since `web.de` is one company's domain.
 */
const REGISTRY_LABELS: ReadonlySet<string> = new Set([
  'ac', 'co', 'com', 'ed', 'edu', 'go', 'gob', 'gouv', 'gov', 'govt', 'gv', 'int', 'lg', 'ltd', 'mil',
  'ne', 'net', 'nhs', 'nic', 'nom', 'or', 'org', 'plc', 'police', 'sch',
])

/**
 * Suffixes under which many unrelated owners hold names (hosting platforms, and generic registries
 * below a generic TLD): a wildcard over one of them reaches every other customer of the platform.
 */
const SHARED_SUFFIXES: ReadonlySet<string> = new Set([
  'amazonaws.com', 'appspot.com', 'azurestaticapps.net', 'azurewebsites.net', 'blogspot.com',
  'cloudapp.net', 'cloudfront.net', 'cloudfunctions.net', 'deno.dev', 'elasticbeanstalk.com',
  'firebaseapp.com', 'fly.dev', 'github.io', 'githubusercontent.com', 'gitlab.io', 'herokuapp.com',
  'myshopify.com', 'netlify.app', 'ngrok-free.app', 'ngrok.io', 'onrender.com', 'pages.dev',
  'readthedocs.io', 'run.app', 's3.amazonaws.com', 'vercel.app', 'web.app', 'workers.dev',
  'blob.core.windows.net', 'eu.org', 'uk.com', 'us.com', 'eu.com', 'cn.com',
])

/**
 * Whether `hostname` (lower case, as `URL.hostname` gives it) is a public suffix: a name under which
 * unrelated parties register their own names, so that `https://*.<hostname>` would reach hosts of
 * many owners. A small, dependency-free rule rather than the whole Public Suffix List (which would
 * add ~130 kB to a core meant for browsers and workers, and age between releases). Simple rules:
 * - a single label is a public suffix (`com`, `uk`, `dev`);
 * - so is a two-label name whose first label is a registry label under a two-letter country TLD
 *   (`co.uk`, `com.au`, `ne.jp`, `gov.br`);
 * - so is one of a short list of shared hosting and registry suffixes (`github.io`,
 *   `herokuapp.com`, `azurewebsites.net`, `us.com`, …);
 * - a trailing dot is ignored (`com.` is `com`).
 * Anything else is taken as a registrable domain (`example.com`, `example.co.uk`). The list cannot
 * know every private suffix: list exact origins when a platform is not named here.
 *
 * @example
 * ```ts
 * isPublicSuffix('co.uk')       // true
 * isPublicSuffix('example.com') // false
 * ```
 */
export function isPublicSuffix(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '')
  const labels = name.split('.')
  if (labels.length <= 1) return true
  if (SHARED_SUFFIXES.has(name)) return true
  const [second, top] = labels as [string, string]
  return labels.length === 2 && /^[a-z]{2}$/.test(top) && REGISTRY_LABELS.has(second)
}
