import type { TestFn } from 'ava';
import { kernels } from '../index.js';
import { checkGrad } from './checkGrad.js';
import { criterionSample, type CriterionCase } from './CriterionCase.js';
import { close } from './tolerance.js';

/**
 * Declares three ava tests per {@link CriterionCase} row (`"<name>: <check>"`): finite differences
 * w.r.t. the input (`shape`, seed 1), Torch7 `backward(input, target)` equals autograd (seed 2),
 * and the gpu.js `cpu` and `webasm` backends agree on the loss and gradInput (`parityShape`,
 * seed 3). Pass ava's `test` (the kit does not import ava).
 *
 * @example
 * import test from 'ava';
 * testCriteria(test, { MSECriterion: { make: () => new MSECriterion(), input: (s, g) => Tensor.randn(s, g), target: (s, g) => Tensor.randn(s, g) } });
 */
export function testCriteria(test: TestFn, cases: Readonly<Record<string, CriterionCase>>): void {
  for (const [name, c] of Object.entries(cases)) {
    const shape = c.shape ?? [4, 5];
    test(`${name}: gradcheck w.r.t. the input`, (t) => {
      const { x, y } = criterionSample(c, shape, 1);
      x.requiresGrad_();
      const crit = c.make();
      checkGrad(t, name, (xi) => crit.forward(xi!, y), [x]);
    });

    test(`${name}: backward(input, target) equals the autograd gradient`, (t) => {
      const { x, y } = criterionSample(c, shape, 2);
      const crit = c.make();
      const loss = crit.forward(x, y).item();
      const g = Array.from(crit.backward(x, y).data);
      t.deepEqual([...crit.gradInput!.shape], shape);
      const leaf = x.detach().requiresGrad_();
      const l2 = c.make().forward(leaf, y);
      l2.backward();
      t.is(l2.item(), loss);
      close(t, g, Array.from(leaf.grad!.data), 1e-6, 'gradInput vs autograd');
    });

    test(`${name}: cpu and webasm agree on loss and gradInput`, (t) => {
      const { x, y } = criterionSample(c, c.parityShape ?? [8, 33], 3);
      const run = (backend: 'cpu' | 'webasm') =>
        kernels.withBackend(backend, () => {
          const crit = c.make();
          const loss = crit.forward(x, y).item();
          return { loss, grad: Array.from(crit.backward(x, y).data) };
        });
      const a = run('cpu');
      const b = run('webasm');
      t.true(Math.abs(a.loss - b.loss) <= 1e-5 * Math.abs(a.loss), `loss cpu ${a.loss} vs webasm ${b.loss}`);
      close(t, b.grad, a.grad, 1e-5, 'gradInput webasm vs cpu');
    });
  }
}
