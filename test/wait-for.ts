// The one way a test waits for a state it expects: poll, never a fixed sleep. A loaded
// machine only makes the wait longer, never the test wrong.
export async function waitFor(pred: () => boolean, opts: { timeoutMs?: number; what?: string; everyMs?: number } = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'a condition'}`);
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 20));
  }
}
