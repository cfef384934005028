import { afterAll, beforeAll } from 'vitest';
import { FakePlayer } from '../../../src/player/fake.js';
import { makeClips, type Clips } from '../../integration/player/fixtures.js';
import { playerContract } from '../../integration/player/player-contract.js';

let clips: Clips;
beforeAll(() => {
  clips = makeClips(1);
});
afterAll(() => clips.cleanup());

playerContract('fake', async () => {
  const player = new FakePlayer({ clipMs: 300, playable: (c) => c !== clips.corrupt && c !== clips.missing });
  return {
    player,
    crash: () => player.crash(),
    alive: () => player.running,
    good: clips.good,
    missing: clips.missing,
    corrupt: clips.corrupt,
    oddName: clips.oddName,
    clipMs: 300,
    cleanup: async () => undefined,
  };
});
