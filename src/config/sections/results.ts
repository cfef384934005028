import { Type as T } from '@sinclair/typebox';

export const ResultsSchema = T.Object(
  {
    enabled: T.Boolean({ default: true, description: 'keep a log of every round (SQLite, WAL, fsync per round)' }),
    path: T.String({ default: '/var/lib/pokerface/results.sqlite', description: 'the SQLite file; its folder is created if missing' }),
    retentionDays: T.Integer({ minimum: 1, maximum: 36500, default: 365, description: 'rounds older than this are deleted (on start and hourly)' }),
    maxRows: T.Integer({ minimum: 100, maximum: 100_000_000, default: 200_000, description: 'at most this many rounds are kept (the oldest go first); 200000 is about 43 MB' }),
    retryMs: T.Integer({ minimum: 100, maximum: 3_600_000, default: 30_000, description: 'a log that cannot be opened or written (read-only folder, full disk) is tried again this often; the booth keeps playing meanwhile' }),
    queueMax: T.Integer({ minimum: 1, maximum: 100_000, default: 1000, description: 'rounds kept in memory while the log cannot be written (the oldest go first when full)' }),
  },
  { additionalProperties: false, default: {} },
);
