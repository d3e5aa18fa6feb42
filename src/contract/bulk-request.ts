import { z } from 'zod';
import { userPayloadSchema } from './user-fields.js';

/** The API takes 1 to 50 users a request. */
export const MAX_BATCH_SIZE = 50;

/** The bulk request body: a JSON array of 1 to 50 user objects. */
export const bulkRequestSchema = z.array(userPayloadSchema).min(1).max(MAX_BATCH_SIZE);
export type BulkRequest = z.infer<typeof bulkRequestSchema>;
