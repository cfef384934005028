// The one way a test waits for a state it expects: poll, never a fixed sleep. A loaded
// machine only makes the wait longer, never the test wrong.
export async function waitFor(
  pred: () => boolean | Promise<boolean>,
  opts: {
    timeoutMs?: number;
    /** what was awaited, for the timeout message; a function is asked only on timeout */
    what?: string | (() => string);
    everyMs?: number;
  } = {},
): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const t0 = Date.now();
  while (!(await pred())) {
    if (Date.now() - t0 > timeoutMs) {
      const what = typeof opts.what === 'function' ? opts.what() : (opts.what ?? 'a condition');
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 20));
  }
}
