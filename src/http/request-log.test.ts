import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loggedUrl } from './request-log.js';

test('an unsubscribe token never reaches the request log; other URLs are logged as they came', () => {
  assert.equal(loggedUrl('/unsubscribe/fl_uns_1_abcDEF-_123'), '/unsubscribe/[redacted]');
  assert.equal(loggedUrl('/unsubscribe/fl_uns_1_abc?x=1'), '/unsubscribe/[redacted]?x=1');
  assert.equal(loggedUrl('/runs?integration=2'), '/runs?integration=2');
  assert.equal(loggedUrl('/api/v1/records?q=unsubscribe/x'), '/api/v1/records?q=unsubscribe/x');
});
