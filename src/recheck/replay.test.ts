import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EmployeeState } from '../classify/types.js';
import { emailKeysOf, replayVersions, type LaterAppliedRecord } from './replay.js';

const at = (hour: number) => new Date(`2026-11-21T${String(hour).padStart(2, '0')}:00:00Z`);
const ana: EmployeeState = { external_id: '7', active: true, first_name: 'Ana', last_name: 'Lopez', email: 'ana@example.com' };

function record(hour: number, run: number, index: number, action: LaterAppliedRecord['action'], first = 'Ana', email = 'ana@example.com'): LaterAppliedRecord {
  return { external_id: '7', startedAt: at(hour), syncRunId: run, index, action, first_name: first, last_name: 'Lopez', email };
}

describe('replaying the later records of an ID the late run changed', () => {
  test('a deactivation keeps the person the late run left, and a run that changes nothing adds no version', () => {
    const versions = replayVersions(ana, [record(11, 2, 0, 'update'), record(12, 3, 0, 'deactivate', 'Bob', 'bob@example.com')]);
    assert.deepEqual(versions, [{ ...ana, active: false, startedAt: at(12), syncRunId: 3 }]);
  });

  test('one version per run, with the state its last record left', () => {
    const versions = replayVersions(undefined, [
      record(11, 2, 0, 'create', 'Bob', 'bob@example.com'),
      record(11, 2, 4, 'update', 'Bobby', 'bob@example.com'),
      record(12, 3, 0, 'skip', 'Carl', 'carl@example.com'),
    ]);
    assert.deepEqual(
      versions.map((v) => [v.first_name, v.syncRunId]),
      [['Bobby', 2]],
    );
  });

  test('a skip makes an unknown ID active, and a reactivation returns them', () => {
    const versions = replayVersions(undefined, [record(11, 2, 0, 'skip'), record(12, 3, 0, 'deactivate'), record(13, 4, 0, 'reactivate')]);
    assert.deepEqual(
      versions.map((v) => [v.active, v.syncRunId]),
      [
        [true, 2],
        [false, 3],
        [true, 4],
      ],
    );
  });

  test('the email keys of states are trimmed and lower-cased, once each', () => {
    assert.deepEqual(emailKeysOf([ana, { ...ana, email: ' ANA@example.com ' }, undefined, { ...ana, email: null }]), ['ana@example.com']);
  });
});
