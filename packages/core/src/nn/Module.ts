import { Tensor } from '../tensor/Tensor.js';
import { runBackward } from '../autograd/engine.js';
import { isGradEnabled } from '../autograd/gradMode.js';
import { fmt } from '../tensor/shape.js';
import { describeValue } from '../tensor/describeValue.js';

/** A named collection of tensors: parameters and buffers, keyed `child.name` as PyTorch does. */
export type StateDict = Map<string, Tensor>;

/**
 * Torch7's `nn.Module` on top of autograd (DESIGN.md, layer 4). A module computes `forward(input)`
 * with differentiable ops, so the graph is recorded; `backward(input, gradOutput)` runs autograd
 * from the module's output back to its input, accumulating into the parameters' `.grad` and
 * returning `gradInput`, as Torch7 does. PyTorch-style `loss.backward()` works on the same graph.
 *
 * Subclasses implement {@link Module.updateOutput} and register parameters, buffers and children.
 *
 * @example
 * const out = net.forward(x);
 * const gradInput = net.backward(x, gradOutput);
 */
export abstract class Module {
  /** The last output of `forward`. */
  output: Tensor | null = null;
  /** The last `gradInput` computed by `backward`. */
  gradInput: Tensor | null = null;
  /** Training mode (Dropout drops, BatchNorm uses batch statistics). */
  training = true;
  private lastInput: Tensor | null = null;
  private graphInput: Tensor | null = null;
  private readonly params = new Map<string, Tensor>();
  private readonly bufs = new Map<string, Tensor>();
  private readonly kids = new Map<string, Module>();

  /** The computation, from differentiable ops. */
  protected abstract updateOutput(input: Tensor): Tensor;

  /** Computes and stores the output. */
  forward(input: Tensor): Tensor {
    if (!(input instanceof Tensor)) throw new TypeError(`${this.typeName()}.forward: input must be a Tensor, got ${describeValue(input)}`);
    let x = input;
    if (isGradEnabled() && !input.requiresGrad) {
      x = input.detach().requiresGrad_();
      x.isInputProxy = true;
    }
    this.lastInput = input;
    this.graphInput = x;
    this.output = this.updateOutput(x);
    return this.output;
  }

  /** Alias of {@link Module.forward}, for a PyTorch-like call site. */
  call(input: Tensor): Tensor {
    return this.forward(input);
  }

  /**
   * Backpropagates `gradOutput` from the last forward: accumulates the parameters' gradients and
   * returns the gradient with respect to `input` (which must be the last forward's input).
   */
  backward(input: Tensor, gradOutput: Tensor): Tensor {
    if (!this.output || input !== this.lastInput || !this.graphInput) {
      throw new Error(`${this.typeName()}.backward: call forward(input) with grad enabled on this same input first`);
    }
    if (gradOutput.size !== this.output.size) {
      throw new Error(`${this.typeName()}.backward: gradOutput shape ${fmt(gradOutput.shape)} does not match output shape ${fmt(this.output.shape)}`);
    }
    let grad: Tensor | undefined;
    if (this.output.requiresGrad) grad = runBackward(this.output, gradOutput, { stopAt: [this.graphInput] }).get(this.graphInput);
    this.gradInput = grad ? grad.reshape(input.shape) : Tensor.zeros(input.shape);
    return this.gradInput;
  }

  // ---- registration ---------------------------------------------------------------------------

  /** Registers a trainable tensor (made a leaf that requires grad). */
  protected registerParameter(name: string, t: Tensor): Tensor {
    t.requiresGrad_(true);
    this.params.set(name, t);
    return t;
  }

  /** Registers a non-trainable tensor saved in the state dict (running statistics). */
  protected registerBuffer(name: string, t: Tensor): Tensor {
    this.bufs.set(name, t);
    return t;
  }

  /** Registers a child module. */
  protected registerModule<M extends Module>(name: string, m: M): M {
    if (!(m instanceof Module)) throw new TypeError(`${this.typeName()}: child '${name}' must be a Module, got ${describeValue(m)}`);
    this.kids.set(name, m);
    return m;
  }

  /** Child modules in order. */
  children(): Module[] {
    return [...this.kids.values()];
  }

  /** Named child modules in order. */
  namedChildren(): [string, Module][] {
    return [...this.kids.entries()];
  }

  // ---- parameters and state -------------------------------------------------------------------

  /** Every trainable tensor of this module and its children, in a stable order. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Parameters with their dotted names (`0.weight`). */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [...this.params.entries()].map(([n, t]) => [prefix + n, t]);
    for (const [name, child] of this.kids) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  /** Zeroes the accumulated gradients (Torch7 `zeroGradParameters`). */
  zeroGradParameters(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** Training mode for this module and its children. */
  train(on = true): this {
    this.training = on;
    for (const c of this.kids.values()) c.train(on);
    return this;
  }

  /** Evaluation mode (Torch7 `evaluate`). */
  evaluate(): this {
    return this.train(false);
  }

  /** Parameters and buffers by dotted name; the tensors are the module's own (not copies). */
  stateDict(prefix = ''): StateDict {
    const out: StateDict = new Map();
    for (const [n, t] of this.params) out.set(prefix + n, t);
    for (const [n, t] of this.bufs) out.set(prefix + n, t);
    for (const [name, child] of this.kids) for (const [k, t] of child.stateDict(`${prefix}${name}.`)) out.set(k, t);
    return out;
  }

  /**
   * Copies values from a state dict; names and shapes must match (all of them when `strict`).
   * Everything is checked before anything is copied, so a bad dict leaves the module unchanged.
   */
  loadStateDict(dict: StateDict, strict = true): this {
    const own = this.stateDict();
    const copies: [Tensor, Tensor][] = [];
    for (const [name, t] of own) {
      const src = dict.get(name);
      if (!src) {
        if (strict) throw new Error(`loadStateDict: missing '${name}' (expected shape ${fmt(t.shape)}) for ${this.typeName()}`);
        continue;
      }
      if (src.size !== t.size || src.ndim !== t.ndim || src.shape.some((d, i) => d !== t.shape[i])) {
        throw new Error(`loadStateDict: '${name}' has shape ${fmt(src.shape)}, the module expects ${fmt(t.shape)}`);
      }
      copies.push([t, src]);
    }
    if (strict) {
      const extra = [...dict.keys()].filter((k) => !own.has(k));
      if (extra.length > 0) throw new Error(`loadStateDict: unexpected entries ${extra.map((e) => `'${e}'`).join(', ')} for ${this.typeName()}`);
    }
    for (const [t, src] of copies) t.data.set(src.data);
    return this;
  }

  /** Torch7 type name, `nn.Linear`. */
  typeName(): string {
    return `nn.${this.constructor.name}`;
  }

  /** Torch7-style description, e.g. `nn.Linear(784 -> 1000)`. */
  toString(): string {
    return this.typeName();
  }
}
