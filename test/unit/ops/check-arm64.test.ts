// scripts/check-arm64.sh is configured by POKERFACE_ARM64_* variables, and it also runs
// pokerface on this machine (the x86-64 half of its detect comparison). pokerface takes
// every POKERFACE_* variable for a configuration key and refuses unknown ones (exit 78),
// so the script must drop its own before that. The script needs root, debootstrap and
// qemu; only its prologue (option parsing and settings) runs here.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const MARKER = 'unset "${!POKERFACE_ARM64_@}"';

describe('check-arm64.sh settings', () => {
  const text = readFileSync('scripts/check-arm64.sh', 'utf8');

  it('reads its POKERFACE_ARM64_* settings, then removes them from the environment', () => {
    const end = text.indexOf(MARKER);
    expect(end, 'the unset line').toBeGreaterThan(0);
    expect(text.slice(end + MARKER.length)).not.toMatch(/POKERFACE_ARM64_/);
    const prologue = text.slice(0, end + MARKER.length);
    const env = execFileSync('bash', ['-c', `${prologue}\necho "cache=$CACHE tol=$TOL_BOX qemu=$QEMU_MODEL"\nenv`], {
      cwd: 'scripts',
      env: { ...process.env, POKERFACE_ARM64_CACHE: '/var/tmp/pf-arm64', POKERFACE_ARM64_TOL_BOX: '2', POKERFACE_ARM64_QEMU_CPU: 'cortex-a76' },
      encoding: 'utf8',
    });
    expect(env).toContain('cache=/var/tmp/pf-arm64 tol=2 qemu=cortex-a76');
    expect(env).not.toMatch(/^POKERFACE_ARM64_/m);
  });
});
