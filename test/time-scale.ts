/**
 * How much longer than here a timing-bound test may take: scripts/check-arm64.sh sets
 * PF_TEST_TIME_SCALE (10) because everything there runs under qemu emulation.
 */
export const TIME_SCALE = Math.max(1, Math.round(Number(process.env.PF_TEST_TIME_SCALE ?? '1') || 1));
