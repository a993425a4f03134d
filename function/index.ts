// First: see zod-jitless.ts.
import './zod-jitless';
import { contextFromEnvironment } from './environment';
import { createHandler } from './handler';

export const handler = createHandler(contextFromEnvironment(process.env));
