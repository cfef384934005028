// Topic names under pokerface/<boothId>/ and Home Assistant discovery documents.
// boothId is restricted by the config schema to [A-Za-z0-9_-], so it can never add a
// level or a wildcard to a topic.

export interface Topics {
  prefix: string;
  available: string;
  state: string;
  score: string;
  event: string;
  stats: string;
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
    requestFilter: `${req}+`,
    request: (cmd) => `${req}${cmd}`,
    response: (cmd) => `${prefix}response/${cmd}`,
    commandOf: (topic) => (topic.startsWith(req) && topic.length > req.length && !topic.slice(req.length).includes('/') ? topic.slice(req.length) : null),
  };
}

export interface DiscoveryMessage {
  topic: string;
  payload: string;
}

/** Home Assistant MQTT discovery: sensors phase, score, last result; binary sensor player present; buttons start/stop. */
export function homeAssistantDiscovery(haPrefix: string, boothId: string, t: Topics, version: string): DiscoveryMessage[] {
  const node = `pokerface_${boothId}`;
  const device = { identifiers: [node], name: `pokerface ${boothId}`, manufacturer: 'pokerface', model: 'straight-face booth', sw_version: version };
  const common = { availability_topic: t.available, payload_available: 'online', payload_not_available: 'offline', device };
  const doc = (component: string, object: string, body: Record<string, unknown>): DiscoveryMessage => ({
    topic: `${haPrefix}/${component}/${node}/${object}/config`,
    payload: JSON.stringify({ ...common, unique_id: `${node}_${object}`, object_id: `${node}_${object}`, ...body }),
  });
  const press = JSON.stringify({ v: 1, transaction: 'homeassistant' });
  return [
    doc('sensor', 'phase', { name: 'Phase', state_topic: t.state, value_template: '{{ value_json.phase }}', icon: 'mdi:state-machine' }),
    doc('sensor', 'score', {
      name: 'Score',
      state_topic: t.score,
      value_template: '{{ value_json.smoothed | round(3) }}',
      state_class: 'measurement',
      expire_after: 10,
      icon: 'mdi:emoticon-neutral-outline',
    }),
    doc('sensor', 'last_result', {
      name: 'Last result',
      state_topic: t.event,
      value_template: "{% if value_json.outcome %}{{ value_json.outcome }}{% else %}{{ this.state }}{% endif %}",
      icon: 'mdi:trophy-outline',
    }),
    doc('binary_sensor', 'player_present', {
      name: 'Player present',
      state_topic: t.score,
      value_template: "{{ 'ON' if value_json.faces > 0 else 'OFF' }}",
      expire_after: 5,
      off_delay: 5,
      device_class: 'occupancy',
    }),
    doc('button', 'start', { name: 'Start game', command_topic: t.request('start'), payload_press: press, icon: 'mdi:play' }),
    doc('button', 'stop', { name: 'Stop game', command_topic: t.request('stop'), payload_press: press, icon: 'mdi:stop' }),
  ];
}
