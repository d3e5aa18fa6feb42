import { describe, expect, it } from 'vitest';
import { addToRollbackPlan, classifyForRollback, emptyRollbackPlan, formatRollbackPreview } from '../../../src/rollback/index.js';

describe('classifyForRollback', () => {
  it('deletes only users the job created and whose Dynamic id it knows', () => {
    expect(classifyForRollback({ outcome: 'created', dynamicUserId: 'd1', owner: 'job' })).toBe('delete');
    expect(classifyForRollback({ outcome: 'created', dynamicUserId: null, owner: 'job' })).toBe('no_dynamic_id');
    // Created by this job, then updated by an incremental run: still this job's.
    expect(classifyForRollback({ outcome: 'updated', dynamicUserId: 'd5', owner: 'job' })).toBe('delete');
    expect(classifyForRollback({ outcome: 'updated', dynamicUserId: 'd2', owner: 'other' })).toBe('updated_only');
    expect(classifyForRollback({ outcome: 'updated', dynamicUserId: 'd2', owner: null })).toBe('updated_only');
    expect(classifyForRollback({ outcome: 'already_exists', dynamicUserId: 'd3', owner: 'legacy_id' })).toBe('existed_before');
    expect(classifyForRollback({ outcome: 'conflict', dynamicUserId: 'd6', owner: 'other' })).toBe('conflict');
    expect(classifyForRollback({ outcome: 'failed', dynamicUserId: null, owner: null })).toBe('never_created');
    expect(classifyForRollback({ outcome: 'rejected', dynamicUserId: null, owner: null })).toBe('never_created');
    expect(classifyForRollback({ outcome: 'rolled_back', dynamicUserId: 'd4', owner: 'job' })).toBe('done');
  });
});

describe('the rollback plan and its preview', () => {
  it('counts every group, names at most five ids each, and never prints more than legacy ids', () => {
    const plan = emptyRollbackPlan();
    for (let id = 1; id <= 8; id++) addToRollbackPlan(plan, { legacyId: String(id), outcome: 'created', dynamicUserId: `d${id}`, owner: 'job' });
    addToRollbackPlan(plan, { legacyId: '20', outcome: 'already_exists', dynamicUserId: 'x', owner: 'legacy_id' });
    addToRollbackPlan(plan, { legacyId: '21', outcome: 'rolled_back', dynamicUserId: 'y', owner: 'job' });
    expect(plan.toDelete).toBe(8);
    expect(plan.toDeleteSamples).toEqual(['1', '2', '3', '4', '5']);
    expect(plan.alreadyRolledBack).toBe(1);
    expect(plan.kept.existed_before).toEqual({ count: 1, samples: ['20'] });
    const text = formatRollbackPreview('job', 'env', plan).join('\n');
    expect(text).toContain('will delete   8 user(s) this job created (legacy ids 1, 2, 3, 4, 5, …)');
    expect(text).toMatch(/will NOT touch:\n {4}1 already in Dynamic before this job.*\(legacy ids 20\)/);
  });
});
