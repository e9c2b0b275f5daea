/** Runs of token68 characters (RFC 7235) without the trailing `=` padding: how a token looks in text. */
const TOKEN_RUN = /[A-Za-z0-9\-._~+/]+/g
/** A run this long without a slash is most likely a secret (a JWT, an API key); paths break at slashes. */
const LONG_RUN = /[A-Za-z0-9\-._~+]{32,}/
const MIN_PRINTED_RUN = 8
const ANSI_ESCAPE = /\x1b\[[0-9;?]*[ -/]*[@-~]/g
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g
const REDACTED = '[redacted]'

/**
 * A key, bare or quoted (or a `--flag=`), then `=` or `:`, then its value: double-quoted (JSON,
 * escapes allowed), JSON inside a JSON string (`\"key\":\"value\"`), single-quoted, or bare up to
 * a space, quote, `,`, `;` or `&`. A value may start with an authorization scheme, which is kept.
 * The key starts where a word starts (never inside a longer key) and is at most 64 characters long.
 */
const PAIR =
  /(?<![\w.-])((?:\\?["'])?)(-{0,2}[A-Za-z][\w.-]{0,63})\1([ \t]*[:=][ \t]*)(?:(?:(Bearer|Basic|DPoP|Token)[ \t]+)?(?:\\"([^\n]*?)\\"|"((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'|([^\s"',;&]+)))/gi
/** Key names whose value is a secret, wherever the word appears in the key (`client_secret`, `X-Api-Key`). */
const SECRET_KEY = /password|passwd|secret|token|api[-_]?key|authorization|private[-_]?key/i
/** An authorization scheme with its credential, outside any `key: value` (`… sent Bearer eyJ… and …`). */
const SCHEME_CREDENTIAL = /(?<![\w-])(Bearer|Basic|DPoP)([ \t]+)([A-Za-z0-9\-._~+/]+=*)/gi
/** The credential after a scheme that is only an English word (`Basic authentication`) is kept. */
const PLAIN_WORD = /^[a-z]+$/
/** `user:password@` in a URL. */
const URL_USERINFO = /(\/\/[^\s/?#@:]*):[^\s/?#@]*@/g
/** An authorization scheme at the start of a quoted value (`"Bearer eyJ…"`). */
const QUOTED_SCHEME = /^(?:Bearer|Basic|DPoP|Token)[ \t]+/i

/**
 * Blanks the secrets that standard error spells out with their name. Simple rules:
 * - `key=value`, `key: value`, `"key": "value"`, `'key': 'value'`, `\"key\":\"value\"` and
 *   `--key=value`, for every key that contains password, passwd, secret, token, api_key / api-key /
 *   apikey, authorization or private_key (any case: `client_secret`, `access_token`,
 *   `refresh_token`, `X-API-Key`, `PASSWORD`): the value becomes `[redacted]`, quotes kept; an
 *   authorization scheme in front of it (`Bearer`, `Basic`, `DPoP`, `Token`) is kept;
 * - `Bearer …`, `Basic …`, `DPoP …` anywhere: the credential after the scheme becomes `[redacted]`,
 *   unless it is a plain lowercase word (`Basic authentication failed`);
 * - `scheme://user:password@host`: the password becomes `[redacted]`.
 */
export function redactNamedSecrets(text: string): string {
  return redactPairs(text)
    .replace(SCHEME_CREDENTIAL, (match, scheme: string, space: string, credential: string) =>
      PLAIN_WORD.test(credential) ? match : `${scheme}${space}${REDACTED}`,
    )
    .replace(URL_USERINFO, `$1:${REDACTED}@`)
}

/** The `key = value` rule of {@link redactNamedSecrets}; a pair whose key is not secret is searched again from after its key. */
function redactPairs(text: string): string {
  const pair = new RegExp(PAIR)
  let out = ''
  let copied = 0
  for (let match = pair.exec(text); match !== null; match = pair.exec(text)) {
    const [whole, quote = '', key = '', separator = '', scheme, escaped, double, single] = match
    if (!SECRET_KEY.test(key)) {
      pair.lastIndex = match.index + quote.length + key.length
      continue
    }
    const head = `${quote}${key}${quote}${separator}${scheme === undefined ? '' : `${scheme} `}`
    const value =
      escaped !== undefined
        ? `\\"${keepScheme(escaped)}\\"`
        : double !== undefined
          ? `"${keepScheme(double)}"`
          : single !== undefined
            ? `'${keepScheme(single)}'`
            : REDACTED
    out += `${text.slice(copied, match.index)}${head}${value}`
    copied = match.index + whole.length
  }
  return out + text.slice(copied)
}

function keepScheme(value: string): string {
  const scheme = QUOTED_SCHEME.exec(value)?.[0] ?? ''
  return `${scheme}${REDACTED}`
}

/**
 * The tail of a command's standard error, safe to keep on an error, at most `maxChars` long. Rules:
 * - only the last `16 × maxChars` characters are read, without the line cut at their start (a
 *   name and its value share a line: no cut parts them); terminal escapes and control characters
 *   are removed, then named secrets are blanked ({@link redactNamedSecrets});
 * - every run of token characters that also appears in standard output (8 characters or more) is
 *   replaced by `[redacted]`: a CLI that printed its token and then failed may echo it;
 * - so is every run of 32 token characters or more, whatever its origin;
 * - redaction happens before the cut, and a run cut in two at the start is dropped, so no fragment
 *   of a secret survives the cut.
 */
export function stderrExcerpt(stderr: string, stdout: string, maxChars: number): string {
  const read = maxChars * 16
  const lines = stderr.length > read ? stderr.slice(-read).replace(/^[^\n]*\n?/, '') : stderr
  const named = redactNamedSecrets(lines.replace(ANSI_ESCAPE, '').replace(CONTROL, ''))
  const window = maxChars * 4
  const tail = named.length > window ? named.slice(-window).replace(/^\S*/, '') : named
  const printed = new Set(Array.from(stdout.matchAll(TOKEN_RUN), ([run]) => run).filter((run) => run.length >= MIN_PRINTED_RUN))
  return tail
    .replace(TOKEN_RUN, (run) => (printed.has(run) || LONG_RUN.test(run) ? REDACTED : run))
    .trim()
    .slice(-maxChars)
}
