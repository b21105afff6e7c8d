// The JSON Schemas published in schemas/, generated from the zod schemas they describe.
import { z } from 'zod';
import { scenarioSchema } from './scenario/schema.ts';
import { targetFileSchema } from './target/schema.ts';

export const SCHEMAS: Record<string, () => unknown> = {
  'scenario.schema.json': () => ({
    ...z.toJSONSchema(scenarioSchema, { io: 'input', target: 'draft-2020-12' }),
    title: 'fapi-sandbox scenario',
  }),
  'target.schema.json': () => ({
    ...z.toJSONSchema(targetFileSchema, { io: 'input', target: 'draft-2020-12' }),
    title: 'fapi-sandbox target',
  }),
};
