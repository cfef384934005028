// Home Assistant's MQTT discovery payloads for the three components pokerface publishes,
// written down as JSON Schema from HA's MQTT integration docs (sensor, binary_sensor,
// button, and the shared availability/device/origin blocks). Keys HA does not know are
// refused, so a misspelt or deprecated option (object_id) fails the test.

const template = { type: 'string', minLength: 1 };
const topic = { type: 'string', minLength: 1, pattern: '^[^#+]+$' };

const availabilityItem = {
  type: 'object',
  required: ['topic'],
  additionalProperties: false,
  properties: { topic, payload_available: { type: 'string' }, payload_not_available: { type: 'string' }, value_template: template },
};

const device = {
  type: 'object',
  additionalProperties: false,
  anyOf: [{ required: ['identifiers'] }, { required: ['connections'] }],
  properties: {
    identifiers: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }] },
    connections: { type: 'array', items: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 } },
    name: { type: 'string' },
    manufacturer: { type: 'string' },
    model: { type: 'string' },
    model_id: { type: 'string' },
    sw_version: { type: 'string' },
    hw_version: { type: 'string' },
    serial_number: { type: 'string' },
    suggested_area: { type: 'string' },
    via_device: { type: 'string' },
    configuration_url: { type: 'string', pattern: '^(https?://|homeassistant://)\\S+$' },
  },
};

const origin = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1 }, sw_version: { type: 'string' }, support_url: { type: 'string', pattern: '^https?://' } },
};

/** options every MQTT entity accepts */
const entity = {
  name: { type: ['string', 'null'] },
  unique_id: { type: 'string', minLength: 1 },
  default_entity_id: { type: 'string' },
  icon: { type: 'string', pattern: '^mdi:[a-z0-9-]+$' },
  entity_picture: { type: 'string' },
  entity_category: { enum: ['config', 'diagnostic'] },
  enabled_by_default: { type: 'boolean' },
  availability: { type: 'array', items: availabilityItem, minItems: 1 },
  availability_mode: { enum: ['all', 'any', 'latest'] },
  availability_topic: topic,
  availability_template: template,
  payload_available: { type: 'string' },
  payload_not_available: { type: 'string' },
  device,
  origin,
  encoding: { type: 'string' },
  qos: { enum: [0, 1, 2] },
  json_attributes_topic: topic,
  json_attributes_template: template,
};

/** availability_topic and availability are alternatives, not both */
const oneAvailability = { not: { required: ['availability', 'availability_topic'] } };

const SENSOR_DEVICE_CLASSES = [
  'apparent_power', 'aqi', 'area', 'atmospheric_pressure', 'battery', 'blood_glucose_concentration', 'carbon_dioxide', 'carbon_monoxide',
  'current', 'data_rate', 'data_size', 'date', 'distance', 'duration', 'energy', 'energy_distance', 'energy_storage', 'enum', 'frequency',
  'gas', 'humidity', 'illuminance', 'irradiance', 'moisture', 'monetary', 'nitrogen_dioxide', 'nitrogen_monoxide', 'nitrous_oxide', 'ozone',
  'ph', 'pm1', 'pm10', 'pm25', 'power', 'power_factor', 'precipitation', 'precipitation_intensity', 'pressure', 'reactive_power',
  'signal_strength', 'sound_pressure', 'speed', 'sulphur_dioxide', 'temperature', 'timestamp', 'volatile_organic_compounds',
  'volatile_organic_compounds_parts', 'voltage', 'volume', 'volume_flow_rate', 'volume_storage', 'water', 'weight', 'wind_direction', 'wind_speed',
];

/** units HA accepts for the device classes pokerface uses */
const UNITS_BY_CLASS: Record<string, string[]> = {
  duration: ['d', 'h', 'min', 's', 'ms', 'µs'],
  data_size: ['bit', 'kbit', 'Mbit', 'Gbit', 'B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'],
};

const sensor = {
  type: 'object',
  required: ['state_topic', 'unique_id'],
  additionalProperties: false,
  properties: {
    ...entity,
    default_entity_id: { type: 'string', pattern: '^sensor\\.[a-z0-9_]+$' },
    state_topic: topic,
    value_template: template,
    unit_of_measurement: { type: ['string', 'null'] },
    device_class: { enum: SENSOR_DEVICE_CLASSES },
    state_class: { enum: ['measurement', 'measurement_angle', 'total', 'total_increasing'] },
    suggested_display_precision: { type: 'integer', minimum: 0 },
    expire_after: { type: 'integer', minimum: 0 },
    force_update: { type: 'boolean' },
    last_reset_value_template: template,
    options: { type: 'array', items: { type: 'string' }, minItems: 1 },
  },
  allOf: [
    oneAvailability,
    // an enum sensor lists its options and has neither a state class nor a unit
    {
      if: { required: ['device_class'], properties: { device_class: { const: 'enum' } } },
      then: { required: ['options'], not: { anyOf: [{ required: ['state_class'] }, { required: ['unit_of_measurement'] }] } },
      else: { not: { required: ['options'] } },
    },
    ...Object.entries(UNITS_BY_CLASS).map(([cls, units]) => ({
      if: { required: ['device_class'], properties: { device_class: { const: cls } } },
      then: { required: ['unit_of_measurement'], properties: { unit_of_measurement: { enum: units } } },
    })),
  ],
};

const binarySensor = {
  type: 'object',
  required: ['state_topic', 'unique_id'],
  additionalProperties: false,
  properties: {
    ...entity,
    default_entity_id: { type: 'string', pattern: '^binary_sensor\\.[a-z0-9_]+$' },
    state_topic: topic,
    value_template: template,
    payload_on: { type: 'string' },
    payload_off: { type: 'string' },
    off_delay: { type: 'integer', minimum: 0 },
    expire_after: { type: 'integer', minimum: 0 },
    force_update: { type: 'boolean' },
    device_class: {
      enum: [
        'battery', 'battery_charging', 'carbon_monoxide', 'cold', 'connectivity', 'door', 'garage_door', 'gas', 'heat', 'light', 'lock',
        'moisture', 'motion', 'moving', 'occupancy', 'opening', 'plug', 'power', 'presence', 'problem', 'running', 'safety', 'smoke',
        'sound', 'tamper', 'update', 'vibration', 'window',
      ],
    },
  },
  allOf: [oneAvailability],
};

const button = {
  type: 'object',
  required: ['command_topic', 'unique_id'],
  additionalProperties: false,
  properties: {
    ...entity,
    default_entity_id: { type: 'string', pattern: '^button\\.[a-z0-9_]+$' },
    command_topic: topic,
    command_template: template,
    payload_press: { type: 'string' },
    retain: { type: 'boolean' },
    device_class: { enum: ['identify', 'restart', 'update'] },
  },
  allOf: [oneAvailability],
};

export const HA_DISCOVERY_SCHEMAS: Record<string, object> = { sensor, binary_sensor: binarySensor, button };
