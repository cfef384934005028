// Entry: `pokerface <command> [args]`. Returns the exit code; bin/pokerface.js sets it.
import { readFileSync } from 'node:fs';
import { COMMANDS, type CommandEntry } from './cli/registry.js';
import { processIO, type CliIO } from './cli/io.js';
import { ConfigError } from './config/load.js';
import { EXIT, exitCodeOf, isPokerfaceError } from './errors.js';

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.words.join(' ').length));
  return [
    'pokerface — keep-a-straight-face game booth daemon',
    '',
    'usage: pokerface <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.words.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    'options: --version, --help (also after any command)',
  ].join('\n');
}

function find(args: string[]): { entry: CommandEntry; rest: string[] } | null {
  let best: { entry: CommandEntry; rest: string[] } | null = null;
  for (const entry of COMMANDS) {
    const n = entry.words.length;
    if (entry.words.every((w, i) => args[i] === w) && (!best || n > best.entry.words.length)) {
      best = { entry, rest: args.slice(n) };
    }
  }
  return best;
}

export async function main(args: string[], io: CliIO = processIO): Promise<number> {
  if (args[0] === '--version' || args[0] === '-V') {
    io.out(version());
    return EXIT.OK;
  }
  if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    io.out(help());
    return args.length === 0 ? 64 : EXIT.OK;
  }
  const hit = find(args);
  if (!hit) {
    io.err(`pokerface: unknown command "${args.join(' ')}"\n\n${help()}`);
    return 64;
  }
  const cmd = await hit.entry.load();
  if (hit.rest.includes('--help') || hit.rest.includes('-h')) {
    io.out(`${cmd.summary}\n\nusage: ${cmd.usage}`);
    return EXIT.OK;
  }
  try {
    return await cmd.run(hit.rest, io);
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`pokerface ${hit.entry.words.join(' ')}: ${(e as Error).message}\n\nusage: ${cmd.usage}`);
      return 64;
    }
    // a command that loads the configuration itself (detect, bench) lets ConfigError out:
    // its problems, not only their count, are what a person needs to fix the file
    if (e instanceof ConfigError) {
      io.err(e.format());
      return exitCodeOf(e);
    }
    const code = isPokerfaceError(e) ? e.code : 'POKERFACE_ERR_UNCAUGHT';
    io.err(`${code}: ${(e as Error).message}`);
    return exitCodeOf(e);
  }
}
