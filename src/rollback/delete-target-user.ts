import { developerRequest, httpFailure, type DeveloperRequestOptions } from '../load/developer-request.js';

/** Options of {@link deleteTargetUser}. */
export type DeleteTargetUserOptions = DeveloperRequestOptions;

/**
 * Deletes one user (`DELETE .../environments/:id/users/:userId`), retried as the loader retries
 * (see {@link developerRequest}). Deleting is idempotent, so a retry after an answer lost on the
 * wire is safe.
 * @returns `deleted`, or `not_found` (404: already gone, which is what rollback wants).
 * @throws LoadError when the user cannot be deleted (401/403, other 4xx, retries exhausted).
 */
export function deleteTargetUser(userId: string, options: DeleteTargetUserOptions): Promise<'deleted' | 'not_found'> {
  return developerRequest(
    `/users/${encodeURIComponent(userId)}`,
    { method: 'DELETE', what: `deleting user ${userId}` },
    (response) => {
      if (response.ok) return { done: 'deleted' as const };
      if (response.status === 404) return { done: 'not_found' as const };
      return httpFailure(response);
    },
    options,
  );
}
