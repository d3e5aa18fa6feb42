/** Duplicates within the source, found before Dynamic refuses them, and the mapping's policy for them. */
export { applyDuplicatePlan } from './apply-duplicate-plan.js';
export {
  createBoundedDuplicateDetector,
  type BoundedDetectorOptions,
  type BoundedDuplicateDetector,
  type CountedCluster,
  type DetectionStatus,
} from './bounded-duplicate-detector.js';
export { decideDuplicates } from './decide-duplicates.js';
export { createDuplicateDetector, type DuplicateCluster, type DuplicateDetector } from './duplicate-detector.js';
export { FIELD_OF_KIND, forEachIdentity, identityKeysOf, type DuplicateKind, type IdentityKey } from './duplicate-keys.js';
export {
  EMPTY_DUPLICATE_PLAN,
  describeResolution,
  usernameChanges,
  type ClusterMember,
  type DuplicateDecision,
  type DuplicatePlan,
  type DuplicatePolicy,
  type UsernameChange,
} from './duplicate-plan.js';
export { mergeIdentities, type Identities } from './merge-identities.js';
export { compileRunMapper, planDuplicates, planDuplicatesFrom, type PlanDuplicatesOptions } from './plan-duplicates.js';
