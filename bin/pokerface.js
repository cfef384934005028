#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (scripts/setup.sh runs it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('pokerface: dist/cli.js is missing; run `npm run build` (or ./scripts/setup.sh) first\n');
  process.exit(70);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
