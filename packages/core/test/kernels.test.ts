import test from 'ava';
import { backendAvailable, KernelRegistry, kernels, readResult, Tensor } from '@eole/core';

test('auto dispatch sends small work to cpu and large work to webasm', (t) => {
  const before = kernels.stats();
  kernels.withBackend('auto', () => {
    Tensor.ones([8]).add(Tensor.ones([8]));
    const n = kernels.threshold * 2;
    Tensor.ones([n]).add(Tensor.ones([n]));
  });
  const after = kernels.stats();
  t.true(after.calls.cpu > before.calls.cpu);
  t.true(after.calls.webasm > before.calls.webasm);
});

test('a forced backend is used for every kernel', (t) => {
  const before = kernels.stats();
  kernels.withBackend('cpu', () => Tensor.ones([1 << 17]).mul(2));
  const after = kernels.stats();
  t.is(after.calls.webasm, before.calls.webasm);
  t.true(after.calls.cpu > before.calls.cpu);
});

test('EOLE_BACKEND is validated with a clear error', (t) => {
  t.throws(() => new KernelRegistry('gpu'), { message: /EOLE_BACKEND: expected one of auto, cpu, webasm, headlessgl, webgpu, got 'gpu'/ });
  t.is(new KernelRegistry('cpu').backend, 'cpu');
  t.is(new KernelRegistry(undefined).backend, 'auto');
});

test('an unavailable GPU backend gives a clear error', (t) => {
  for (const name of ['headlessgl', 'webgpu'] as const) {
    if (backendAvailable(name)) {
      t.pass(`${name} is available here`);
      continue;
    }
    t.throws(() => new KernelRegistry(name), { message: new RegExp(`backend '${name}' is not available here`) });
  }
});

test('kernels compile once per shape and reuse the compiled kernel', (t) => {
  const reg = new KernelRegistry('cpu');
  const k = reg.define('twice', 'function(a) { return a[this.thread.x] * 2; }');
  k.run({ output: [4], args: [Float32Array.of(1, 2, 3, 4)] });
  k.run({ output: [4], args: [Float32Array.of(5, 6, 7, 8)] });
  t.is(reg.stats().compiles, 1);
  t.deepEqual(Array.from(k.run({ output: [2], args: [Float32Array.of(1, 2)] })), [2, 4]);
  t.is(reg.stats().compiles, 2);
  t.throws(() => reg.define('twice', 'function(a) { return 0; }'), { message: /already defined/ });
});

test('loop bounds in constants are not capped at 1000 iterations', (t) => {
  const x = Tensor.ones([1, 5000]);
  for (const be of ['cpu', 'webasm'] as const) t.is(kernels.withBackend(be, () => x.sum(1).item()), 5000);
});

test('readResult flattens nested results in order', (t) => {
  const nested = [[Float32Array.of(1, 2), Float32Array.of(3, 4)], [Float32Array.of(5, 6), Float32Array.of(7, 8)]];
  t.deepEqual(Array.from(readResult(nested, 8)), [1, 2, 3, 4, 5, 6, 7, 8]);
  t.throws(() => readResult(nested, 9), { message: /has 8 values, expected 9/ });
});
