import test from 'ava';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ClassNLLCriterion, Generator, Linear, LogSoftMax, ReLU, Sequential, SGD, Tensor } from '@eole/core';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

// tfjs users leak tensors without tf.tidy (tensorflow/tfjs #5979, #7640); Eole's tensors are
// typed arrays the garbage collector owns, so a long run stays flat with no manual disposal.
test('memory stays flat over 1,500 training steps without any manual disposal', (t) => {
  const rng = new Generator(3);
  const net = new Sequential(new Linear(64, 128, { rng }), new ReLU(), new Linear(128, 10, { rng }), new LogSoftMax());
  const criterion = new ClassNLLCriterion();
  const opt = new SGD(net.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = Tensor.randn([32, 64], rng);
  const y = Tensor.from(Array.from({ length: 32 }, (_, i) => i % 10));
  const step = (): void => {
    opt.zeroGrad();
    criterion.forward(net.forward(x), y).backward();
    opt.step();
  };
  for (let i = 0; i < 300; i++) step();
  const before = heapAfterGc();
  for (let i = 0; i < 1500; i++) step();
  const after = heapAfterGc();
  const growth = (after - before) / 1e6;
  t.true(growth < 4, `heap grew by ${growth.toFixed(2)} MB over 1,500 steps`);
});
