/**
 * zod compiles a fast path for each object schema (`new Function`) on its first parse. A Lambda
 * cold start parses each schema once or twice, so generating that code costs more than it saves
 * and delays the revoke. zod reads this switch when a schema is created: this module must be the
 * bundle entry's first import, before any module that defines a schema. The CLI keeps the fast
 * path: it parses thousands of records in one process.
 */
import * as z from 'zod';

z.config({ jitless: true });
