/**
 * What a job was started against. A resumed run compares its own fingerprint with the saved one, so a
 * checkpoint is never silently applied to another table, mapping or Dynamic environment.
 */
export interface Fingerprint {
  /** Source table plus database host/name, e.g. `users@db.internal:5432/app`. Never the password. */
  source: string;
  /** Hash of the mapping document (see `loadMappingFile`). */
  mappingHash: string;
  /** Dynamic environment id; null for a dry run without one. */
  environmentId: string | null;
  /**
   * Origin of the Dynamic API the job sends to (`https://app.dynamicauth.com`, an emulator's
   * `http://127.0.0.1:4010`). A rehearsal on the emulator under the same job name must not be
   * resumed against production: its ledger says users exist that production never saw. Absent in
   * checkpoints written before it was recorded, which then match any API.
   */
  api?: string;
  /** True when the job was started by `--dry-run`. */
  dryRun?: boolean;
}

const short = (hash: string): string => (hash.length > 12 ? hash.slice(0, 12) : hash);
const shown = (value: string | null | undefined): string => (value == null || value === '' ? '(none)' : value);

/**
 * Lists, in words, how `current` differs from the fingerprint the job was started with; empty when
 * they match. Pure: the caller decides whether a difference stops the run.
 */
export function fingerprintDifferences(saved: Fingerprint, current: Fingerprint): string[] {
  const differences: string[] = [];
  if (saved.source !== current.source) {
    differences.push(`source changed (${shown(saved.source)} → ${shown(current.source)})`);
  }
  if (saved.mappingHash !== current.mappingHash) {
    differences.push(`mapping changed (hash ${short(saved.mappingHash)} → ${short(current.mappingHash)})`);
  }
  if (environmentDiffers(saved, current)) {
    differences.push(`environment changed (${shown(saved.environmentId)} → ${shown(current.environmentId)})`);
  }
  if (apiDiffers(saved.api, current.api)) {
    differences.push(`Dynamic API changed (${saved.api} → ${current.api})`);
  }
  if ((saved.dryRun ?? false) !== (current.dryRun ?? false)) {
    const mode = (dryRun: boolean | undefined) => (dryRun ? 'dry run' : 'real run');
    differences.push(`mode changed (${mode(saved.dryRun)} → ${mode(current.dryRun)})`);
  }
  return differences;
}

/** Whether `current` sends to another Dynamic environment or API than the job did: never accepted. */
export function changesTarget(saved: Fingerprint, current: Fingerprint): boolean {
  return environmentDiffers(saved, current) || apiDiffers(saved.api, current.api);
}

const environmentDiffers = (saved: Fingerprint, current: Fingerprint): boolean => (saved.environmentId ?? null) !== (current.environmentId ?? null);

/** An API not recorded (a checkpoint from before it was, or a dry run) matches any. */
const apiDiffers = (saved: string | undefined, current: string | undefined): boolean => saved !== undefined && current !== undefined && saved !== current;

/** The API's origin as a fingerprint records it: scheme, host and port, never a path's credentials. */
export function apiOrigin(apiUrl: string): string {
  return new URL(apiUrl).origin;
}

/**
 * Why a command that talks to Dynamic about a job's users (rollback, reconcile) must not use
 * `apiUrl`: the job sent them to another API (a rehearsal's emulator, say), whose ids and users
 * these are not. Undefined when it may, or the job predates recording its API.
 */
export function otherApiThanJob(saved: Fingerprint, job: string, apiUrl: string): string | undefined {
  const current = apiOrigin(apiUrl);
  if (!apiDiffers(saved.api, current)) return undefined;
  return `job ${job} sent its users to ${saved.api}, not ${current}: pass --api-url for that API`;
}

/** Reads a fingerprint saved as JSON; anything else means the checkpoint was tampered with. */
export function parseFingerprint(json: string): Fingerprint | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.source !== 'string' || typeof record.mappingHash !== 'string') return undefined;
  if (record.environmentId !== null && typeof record.environmentId !== 'string') return undefined;
  const fingerprint: Fingerprint = {
    source: record.source,
    mappingHash: record.mappingHash,
    environmentId: record.environmentId,
  };
  if (typeof record.api === 'string') fingerprint.api = record.api;
  if (typeof record.dryRun === 'boolean') fingerprint.dryRun = record.dryRun;
  return fingerprint;
}
