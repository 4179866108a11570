import test from 'ava';
import { backendAvailable, callsJsMath, Generator, KERNEL_NAME, KernelRegistry, kernels, readResult, Tensor } from '@eole/core';

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
  t.throws(() => new KernelRegistry('gpu'), { message: /EOLE_BACKEND: expected one of auto, cpu, webasm, headlessgl, webgpu, webgl2, webgl, got 'gpu'/ });
  t.is(new KernelRegistry('cpu').backend, 'cpu');
  t.is(new KernelRegistry(undefined).backend, 'auto');
});

test('an unavailable GPU backend gives a clear error', (t) => {
  for (const name of ['headlessgl', 'webgpu', 'webgl2', 'webgl'] as const) {
    if (backendAvailable(name)) {
      t.pass(`${name} is available here`);
      continue;
    }
    t.throws(() => new KernelRegistry(name), { message: new RegExp(`backend '${name}' is not available here`) });
  }
});

test('WebGL backends are refused in Node with what they need, and report no renderer', (t) => {
  for (const name of ['webgl2', 'webgl'] as const) {
    t.false(backendAvailable(name), `${name} in Node`);
    t.throws(() => kernels.setBackend(name), { message: new RegExp(`backend '${name}' is not available here: it needs a browser`) });
    t.is(kernels.renderer(name), null);
  }
  t.is(kernels.backend, 'auto');
});

test('kernels compile once per shape and reuse the compiled kernel', (t) => {
  const reg = new KernelRegistry('cpu');
  const k = reg.define('test.twice.forward', 'function(a) { return a[this.thread.x] * 2; }');
  k.run({ output: [4], args: [Float32Array.of(1, 2, 3, 4)] });
  k.run({ output: [4], args: [Float32Array.of(5, 6, 7, 8)] });
  t.is(reg.stats().compiles, 1);
  t.deepEqual(Array.from(k.run({ output: [2], args: [Float32Array.of(1, 2)] })), [2, 4]);
  t.is(reg.stats().compiles, 2);
});

test('define is idempotent: the same source returns the same kernel, a different one throws naming it', (t) => {
  const reg = new KernelRegistry('cpu');
  const source = 'function(a) { return a[this.thread.x] * 2; }';
  const k = reg.define('test.twice.forward', source);
  t.is(reg.define('test.twice.forward', source), k);
  t.is(reg.define('test.twice.forward', () => 'never built'), k, 'a thunk is not run again');
  t.throws(() => reg.define('test.twice.forward', 'function(a) { return 0; }'), { message: /kernel 'test\.twice\.forward' is already defined with a different source/ });
  t.throws(() => reg.define('test.twice.forward', source, 'Array(2)'), { message: /'test\.twice\.forward' is already defined with return type number, not Array\(2\)/ });
  let built = 0;
  const lazy = () => {
    built++;
    return 'function(a) { return a[this.thread.x] + 1; }';
  };
  const a = reg.define('test.inc.rank1', lazy);
  t.is(reg.define('test.inc.rank1', lazy), a);
  t.is(built, 1);
  t.deepEqual(Array.from(a.run({ output: [2], args: [Float32Array.of(1, 2)] })), [2, 3]);
});

test('define enforces the naming rule <package>.<op>.<pass>', (t) => {
  const reg = new KernelRegistry('cpu');
  const source = 'function(a) { return a[this.thread.x]; }';
  for (const name of ['core.matmul.nn', 'rnn-memory.lstmCell.forward', 'conv.correlate.rows.k5.b3', 'my-plugin.copy']) {
    t.is(reg.define(name, source).name, name);
  }
  for (const name of ['twice', 'Core.add.forward', 'core', 'core.', 'core..add', 'core.Add.forward', 'core.add-one.forward', 'rnn_memory.add.forward', 'core.add.forward.']) {
    t.throws(() => reg.define(name, source), { message: new RegExp(`kernel '${name.replace(/[.]/g, '\\.')}': names follow <package>\\.<op>\\.<pass>`) }, name);
  }
});

test('every kernel core defines follows the naming rule', (t) => {
  const x = Tensor.randn([2, 3], new Generator(1)).requiresGrad_();
  x.add(1).mul(x).softmax(1).sum().backward();
  for (const name of kernels.names()) t.regex(name, KERNEL_NAME);
  t.true(kernels.names().some((n) => n.startsWith('core.')));
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

test('Kernel.read hands the output to a callback without a copy on webasm, and equals run on both backends', (t) => {
  const k = kernels.define('core.testRead.forward', 'function(a) { return a[this.thread.x] * 2 + this.thread.x; }');
  const a = Tensor.randn([4096], new Generator(3)).data;
  for (const backend of ['cpu', 'webasm'] as const) {
    kernels.withBackend(backend, () => {
      const copied = k.run({ output: [4096], args: [a] });
      const viewed = k.read({ output: [4096], args: [a] }, (out) => {
        t.is(out.length, 4096);
        return Float32Array.from(out);
      });
      t.deepEqual(viewed, copied, backend);
    });
  }
  const shared = kernels.withBackend('webasm', () => k.read({ output: [4096], args: [a] }, (out) => out.buffer instanceof SharedArrayBuffer));
  t.true(shared, 'on webasm the callback sees the module memory itself');
});

test('auto dispatch runs kernels that call JS-imported Math functions on cpu at any size', (t) => {
  t.true(callsJsMath('function(a) { return Math.exp(a[this.thread.x]); }'));
  t.true(callsJsMath('function(a) { return Math.pow(a[this.thread.x], 3); }'));
  t.false(callsJsMath('function(a) { return Math.sqrt(Math.abs(a[this.thread.x])); }'));
  t.false(callsJsMath('function(a) { const exponent = 2; return a[this.thread.x] * exponent; }'));
  const n = kernels.threshold * 64;
  const before = kernels.stats();
  const y = kernels.withBackend('auto', () => Tensor.ones([n]).exp());
  const after = kernels.stats();
  t.is(after.calls.webasm, before.calls.webasm);
  t.true(after.calls.cpu > before.calls.cpu);
  t.true(Math.abs(y.data[n - 1]! - Math.E) < 1e-6);
  t.is(kernels.backendFor(n, true), 'cpu');
  t.is(kernels.backendFor(n, false), 'webasm');
});
