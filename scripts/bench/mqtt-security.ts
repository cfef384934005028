// MQTT security figures for docs/api.md "Security": the embedded broker (with a staff
// login, in a child process of its own together with the daemon's MQTT client) attacked
// over loopback: oversized publishes (one before login, one after, then two at once) with
// the child's resident memory before and at its peak, and how many wrong-password logins
// a second one attacker gets through. Prints one JSON object on stdout and a summary on
// stderr; exits 0 (a benchmark, not a test).
//
//   npx tsx scripts/bench/mqtt-security.ts [--mb 250] [--seconds 5]
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { until } from '../../test/integration/api/brokers.js';
import { connectPacket, flood, memoryOf } from '../../test/integration/security/mqtt-wire.js';

const { values: args } = parseArgs({ options: { mb: { type: 'string', default: '250' }, seconds: { type: 'string', default: '5' } } });
const MB = 1048576;
const size = Number(args.mb) * MB;
const STAFF = { username: 'staff', password: 'bench-staff-password-0123456789' };

const yaml = ['boothId: bench', 'mqtt:', '  url: embedded', '  embeddedPort: 0', `  username: ${STAFF.username}`, `  password: ${STAFF.password}`].join('\n');
const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../test/integration/api/broker-child.ts', import.meta.url))], {
  env: { ...process.env, POKERFACE_TEST_CONFIG: yaml },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let port = 0;
let buf = '';
child.stdout.on('data', (d: Buffer) => {
  buf += d.toString();
  const m = /\{"ready":true,"port":(\d+)\}/.exec(buf);
  if (m) port = Number(m[1]);
  if (buf.length > 65536) buf = buf.slice(-1024);
});
await until(() => port > 0, 30_000, 'broker child');
const pid = child.pid as number;

/** one wrong-password CONNECT on a fresh connection; resolves with the CONNACK return code */
function guess(i: number): Promise<number> {
  return new Promise((resolve) => {
    const s = createConnection({ port, host: '127.0.0.1' }, () => s.write(connectPacket(`guess-${i}`, { username: STAFF.username, password: `guess-${i}` })));
    s.once('data', (d: Buffer) => {
      s.destroy();
      resolve(d[0] === 0x20 ? (d[3] ?? -1) : -1);
    });
    s.once('error', () => resolve(-1));
  });
}

const atStart = memoryOf(pid);
const seconds = Number(args.seconds);
const t0 = performance.now();
let guesses = 0;
let refused = 0;
while (performance.now() - t0 < seconds * 1000) {
  if ((await guess(guesses++)) === 4) refused++;
}
const guessRate = guesses / ((performance.now() - t0) / 1000);
const afterGuesses = memoryOf(pid);

const floods: Array<{ case: string; sentMb: number[]; rssBeforeMb: number; peakMb: number }> = [];
for (const [name, run] of [
  ['before login', () => Promise.all([flood(port, size)])],
  ['after staff login', () => Promise.all([flood(port, size, STAFF)])],
  ['two at once, logged in', () => Promise.all([flood(port, size, STAFF), flood(port, size, STAFF)])],
] as const) {
  const before = memoryOf(pid);
  const results = await run();
  const after = memoryOf(pid);
  floods.push({ case: name, sentMb: results.map((r) => Math.round((r.sent / MB) * 10) / 10), rssBeforeMb: Math.round(before.rssMb * 10) / 10, peakMb: Math.round(after.hwmMb * 10) / 10 });
}
child.kill('SIGTERM');

const out = { announcedMb: Number(args.mb), wrongPasswordLogins: { perSecond: Math.round(guessRate), tried: guesses, refused, rssBeforeMb: Math.round(atStart.rssMb * 10) / 10, rssAfterMb: Math.round(afterGuesses.rssMb * 10) / 10 }, floods };
process.stdout.write(`${JSON.stringify(out)}\n`);
process.stderr.write(`wrong-password logins: ${Math.round(guessRate)}/s on sequential connections (${refused}/${guesses} refused); RSS ${out.wrongPasswordLogins.rssBeforeMb} -> ${out.wrongPasswordLogins.rssAfterMb} MB\n`);
for (const f of floods) process.stderr.write(`${args.mb} MB publish ${f.case}: sent ${f.sentMb.join(' + ')} MB before the broker closed; RSS ${f.rssBeforeMb} MB -> peak ${f.peakMb} MB\n`);
