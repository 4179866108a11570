import test from 'ava';
import { LocalCenter, SharedCenter } from '@eole/core';
import { testCenterStore } from '@eole/core/testing';

testCenterStore(test, 'LocalCenter', async (size, runId, handles) => {
  const center = new LocalCenter(size, runId);
  return Array.from({ length: handles }, () => center);
});

testCenterStore(test, 'SharedCenter', async (size, runId, handles) => {
  const center = SharedCenter.create(size, 4, runId);
  return Array.from({ length: handles }, () => SharedCenter.open(center.handle(), { runId, size }));
});
