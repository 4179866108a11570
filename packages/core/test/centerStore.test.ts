import test from 'ava';
import { LocalCenter } from '@eole/core';
import { testCenterStore } from '@eole/core/testing';

testCenterStore(test, 'LocalCenter', async (size, runId, handles) => {
  const center = new LocalCenter(size, runId);
  return Array.from({ length: handles }, () => center);
});
