// A CliIO that records what a command prints, for tests that call the CLI's main() in process.
import type { CliIO } from '../src/cli/io.js';

export function recordingIO(env: NodeJS.ProcessEnv = {}): CliIO & { stdout: string; stderr: string } {
  const o = {
    stdout: '',
    stderr: '',
    env,
    cwd: process.cwd(),
    out: (t: string) => void (o.stdout += `${t}\n`),
    err: (t: string) => void (o.stderr += `${t}\n`),
  };
  return o;
}
