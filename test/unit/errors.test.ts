import { describe, expect, it } from 'vitest';
import { ERRORS, EXIT, PokerfaceError, exitCodeOf } from '../../src/errors.js';

describe('error table', () => {
  it('has stable, well-formed codes with messages', () => {
    for (const [code, spec] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^POKERFACE_ERR_[A-Z0-9_]+$/);
      expect(spec.message.length).toBeGreaterThan(5);
      if ('exit' in spec) expect(Number.isInteger(spec.exit) && spec.exit > 0 && spec.exit < 126).toBe(true);
    }
  });

  it('keeps configuration errors on exit 78 and the restart request on 75', () => {
    expect(ERRORS.POKERFACE_ERR_CONFIG_INVALID.exit).toBe(EXIT.CONFIG);
    expect(ERRORS.POKERFACE_ERR_CONFIG_PARSE.exit).toBe(78);
    expect(ERRORS.POKERFACE_ERR_RESTART_REQUESTED.exit).toBe(75);
  });

  it('carries code, message and exit code', () => {
    const e = new PokerfaceError('POKERFACE_ERR_MODEL_CORRUPT', 'models/x.onnx');
    expect(e.code).toBe('POKERFACE_ERR_MODEL_CORRUPT');
    expect(e.message).toContain('models/x.onnx');
    expect(e.exitCode).toBe(65);
    expect(exitCodeOf(new Error('x'))).toBe(EXIT.SOFTWARE);
    expect(JSON.parse(JSON.stringify(e))).toEqual({ code: e.code, message: e.message });
  });
});
