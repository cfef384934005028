// Topic names under pokerface/<boothId>/ (Home Assistant discovery: home-assistant.ts).
// boothId is restricted by the config schema to [A-Za-z0-9_-], so it can never add a
// level or a wildcard to a topic.

export interface Topics {
  prefix: string;
  available: string;
  state: string;
  score: string;
  event: string;
  stats: string;
  /** the score at most once a second, for Home Assistant's recorder */
  haScore: string;
  requestFilter: string;
  request(cmd: string): string;
  response(cmd: string): string;
  /** the command of a request topic, or null if the topic is not one */
  commandOf(topic: string): string | null;
}

const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function topicsFor(boothId: string): Topics {
  if (!SAFE_ID.test(boothId)) throw new Error(`boothId "${boothId}" is not topic-safe`);
  const prefix = `pokerface/${boothId}/`;
  const req = `${prefix}request/`;
  return {
    prefix,
    available: `${prefix}available`,
    state: `${prefix}state`,
    score: `${prefix}score`,
    event: `${prefix}event`,
    stats: `${prefix}stats`,
    haScore: `${prefix}ha/score`,
    requestFilter: `${req}+`,
    request: (cmd) => `${req}${cmd}`,
    response: (cmd) => `${prefix}response/${cmd}`,
    commandOf: (topic) => (topic.startsWith(req) && topic.length > req.length && !topic.slice(req.length).includes('/') ? topic.slice(req.length) : null),
  };
}
