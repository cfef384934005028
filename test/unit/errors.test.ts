import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS, EXIT, PokerfaceError, exitCodeOf, httpStatusOf, type ErrorCode } from '../../src/errors.js';

/**
 * Every code the REST API can answer with: the codes its files name (the server, its
 * guards, the route plugins, the staff commands and the snapshot), and those the booth
 * and the judge refuse a staff command with, which the command routes pass on.
 */
function restAnswerCodes(): Set<string> {
  const api = join(import.meta.dirname, '../../src/api');
  const files = readdirSync(api).filter((f) => /^(rest.*|routes-.*|commands|snapshot)\.ts$/.test(f));
  expect(files).toEqual(expect.arrayContaining(['rest.ts', 'rest-guards.ts', 'routes-control.ts', 'routes-status.ts', 'commands.ts']));
  const named = files.flatMap((f) => readFileSync(join(api, f), 'utf8').match(/POKERFACE_ERR_[A-Z0-9_]+/g) ?? []);
  const booth = ['POKERFACE_ERR_GAME_STATE', 'POKERFACE_ERR_BOOTH_NOT_READY', 'POKERFACE_ERR_UNKNOWN_BUTTON', 'POKERFACE_ERR_MEDIA_EMPTY'];
  // start-up failures of the server itself, never an answer
  const notAnswers = new Set(['POKERFACE_ERR_API_LISTEN', 'POKERFACE_ERR_API_TLS']);
  return new Set([...named, ...booth].filter((c) => !notAnswers.has(c)));
}

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

  it('gives every code the REST API can answer with its HTTP status, in the one table', () => {
    const codes = restAnswerCodes();
    expect(codes.size).toBeGreaterThan(15);
    for (const code of codes) {
      expect(Object.hasOwn(ERRORS, code), code).toBe(true);
      const spec: { message: string; status?: number } = ERRORS[code as ErrorCode];
      expect(spec.status, code).toBeDefined();
      expect(spec.status! >= 400 && spec.status! <= 599, code).toBe(true);
      expect(httpStatusOf(code)).toBe(spec.status);
    }
    expect(httpStatusOf('POKERFACE_ERR_GAME_STATE')).toBe(409);
    expect(httpStatusOf('POKERFACE_ERR_API_BAD_HOST')).toBe(421);
    expect(httpStatusOf('POKERFACE_ERR_RESTART_TOO_SOON')).toBe(429);
    // a code without a status (not an API answer) or no code at all: an internal error
    expect(httpStatusOf('POKERFACE_ERR_MODEL_CORRUPT')).toBe(500);
    expect(httpStatusOf('toString')).toBe(500);
  });
});
