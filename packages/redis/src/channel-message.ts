/**
 * The one pub/sub channel of every store on `prefix`: its scripts publish there about every store
 * key, and each store keeps one subscription to it.
 */
export function eventsChannel(prefix: string): string {
  return `${prefix}events`
}

/** Fields before the store key: kind, fence, fingerprint, origin. None of them holds a `|`. */
const HEADER_FIELDS = 4

/**
 * The store key a channel message is about. Simple rules: a message is
 * `<kind>|<fence>|<fingerprint>|<origin>|<store key>`, a field left empty when its kind has none
 * (`new|7|fp|origin|graph`, `released|7|||graph`, `invalidated||fp|origin|graph`); the store key
 * comes last, so it may hold any character, `|` included. `undefined` for anything else.
 */
export function messageKey(message: string): string | undefined {
  let at = -1
  for (let field = 0; field < HEADER_FIELDS; field++) {
    at = message.indexOf('|', at + 1)
    if (at === -1) return undefined
  }
  return message.slice(at + 1)
}
