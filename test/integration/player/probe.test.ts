import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffprobe, parseProbe } from '../../../src/player/probe.js';
import { makeClips, type Clips } from './fixtures.js';

let clips: Clips;
beforeAll(() => {
  clips = makeClips(1);
});
afterAll(() => clips.cleanup());

describe('ffprobe', () => {
  const probe = ffprobe();
  it('reads duration and streams of a real clip, odd names included', async () => {
    await expect(probe(clips.good)).resolves.toMatchObject({ durationMs: 1000, width: 160, height: 120, videoCodec: 'h264', hasAudio: false });
    await expect(probe(clips.oddName)).resolves.toMatchObject({ durationMs: 1000 });
  });

  it('rejects missing and corrupt files with POKERFACE_ERR_MEDIA_UNPLAYABLE', async () => {
    await expect(probe(clips.missing)).rejects.toMatchObject({ code: 'POKERFACE_ERR_MEDIA_UNPLAYABLE' });
    await expect(probe(clips.corrupt)).rejects.toMatchObject({ code: 'POKERFACE_ERR_MEDIA_UNPLAYABLE' });
  });

  it('reports a missing ffprobe binary as unplayable, not a crash', async () => {
    await expect(ffprobe({ ffprobePath: '/nonexistent/ffprobe' })(clips.good)).rejects.toMatchObject({ code: 'POKERFACE_ERR_MEDIA_UNPLAYABLE' });
  });

  it('parseProbe wants a video stream and a duration', () => {
    expect(() => parseProbe('{"streams":[{"codec_type":"audio"}],"format":{"duration":"3"}}', 'a.mp4')).toThrow(/no video stream/);
    expect(() => parseProbe('{"streams":[{"codec_type":"video","width":2,"height":2}],"format":{}}', 'a.mp4')).toThrow(/unknown duration/);
    expect(() => parseProbe('nope', 'a.mp4')).toThrow(/not JSON/);
  });
});
