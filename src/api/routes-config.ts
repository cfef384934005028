// What is running: the configuration (secrets redacted; behind the read token with
// api.publicRead: false), the JSON Schema it follows, and the version.
import type { FastifyPluginAsync } from 'fastify';
import { redactConfig } from '../config/load.js';
import { configJsonSchema, type FrozenConfig } from '../config/schema.js';
import type { RouteGuard } from './rest-guards.js';
import * as S from './rest-schemas.js';

export interface ConfigRoutesOptions {
  config: FrozenConfig;
  version: string;
  read: RouteGuard;
}

export const configRoutes: FastifyPluginAsync<ConfigRoutesOptions> = async (app, o) => {
  // the running config never changes: redacted once
  const publicConfig = redactConfig(o.config);
  app.get('/api/config', { ...o.read, schema: { summary: 'the running configuration, secrets redacted', response: { 200: S.AnyObject } } }, async () => publicConfig);

  const schemaText = JSON.stringify(configJsonSchema());
  app.get('/api/config/schema.json', { schema: { summary: 'JSON Schema of the configuration', response: { 200: S.AnyObject } } }, async (_req, reply) =>
    reply.type('application/json; charset=utf-8').send(schemaText),
  );

  app.get('/api/version', { schema: { response: { 200: S.VersionBody } } }, async () => ({
    name: 'pokerface',
    version: o.version,
    node: process.version,
    payloadVersion: 1 as const,
  }));
};
