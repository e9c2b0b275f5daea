/**
 * What `work` rejected with: a promise, or a function whose throw (synchronous or not) is caught.
 * Fails the test when it fulfils. Typed for reading fields such as `code` or `status` off the error,
 * or as `E` when the test knows the class.
 */
export async function rejection<E = Error & Record<string, unknown>>(work: Promise<unknown> | (() => unknown)): Promise<E> {
  try {
    await (typeof work === 'function' ? work() : work)
  } catch (error) {
    return error as E
  }
  throw new Error('expected a rejection')
}
