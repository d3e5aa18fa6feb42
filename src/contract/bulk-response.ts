import { z } from 'zod';

/**
 * The parts of a Dynamic `User` this tool reads. Loose: the API returns many more fields and may
 * add more at any time; we keep them rather than fail on them.
 */
export const dynamicUserSchema = z.looseObject({
  id: z.string().optional(),
  email: z.string().nullish(),
  username: z.string().nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
});
export type DynamicUser = z.infer<typeof dynamicUserSchema>;

export const failedUserSchema = z.looseObject({
  user: dynamicUserSchema,
  error: z.string(),
  code: z.string(),
});
export type FailedUser = z.infer<typeof failedUserSchema>;

/** A 2xx answer: outcomes are per user, and the request index is not echoed. */
export const bulkResponseSchema = z.looseObject({
  created: z.array(dynamicUserSchema),
  updated: z.array(dynamicUserSchema),
  failed: z.array(failedUserSchema),
  total: z.number().int(),
});
export type BulkResponse = z.infer<typeof bulkResponseSchema>;

/** Whole-request error bodies: `{ error }`, `{ code, message }`, or the 429's `{ message, code: 429 }`. */
export const errorBodySchema = z.looseObject({
  error: z.string().optional(),
  code: z.union([z.string(), z.number()]).optional(),
  message: z.string().optional(),
});

/** `GET /environments/:id/users`. */
export const listUsersResponseSchema = z.looseObject({
  count: z.number().int(),
  users: z.array(dynamicUserSchema),
});
