import { Type as T } from '@sinclair/typebox';

export const ResultsSchema = T.Object(
  {
    enabled: T.Boolean({ default: true }),
    path: T.String({ default: '/var/lib/pokerface/results.sqlite' }),
    retentionDays: T.Integer({ minimum: 1, maximum: 36500, default: 365 }),
    maxRows: T.Integer({ minimum: 100, maximum: 100_000_000, default: 200_000 }),
  },
  { additionalProperties: false, default: {} },
);
