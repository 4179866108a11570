import type { Tensor } from '../tensor/Tensor.js';
import type { CenterStore } from './CenterStore.js';
import { EASGD, type EASGDOptions } from './EASGD.js';
import { SGD } from './SGD.js';

/** Options of {@link eamsgd}: EASGD's, plus the local Nesterov SGD's. */
export interface EAMSGDOptions extends EASGDOptions {
  /** The local learning rate η. */
  lr: number;
  /** The momentum δ (default 0.9; the paper uses 0.99). */
  delta?: number;
  /** L2 weight decay (default 0). */
  weightDecay?: number;
}

/**
 * EAMSGD, the momentum variant of EASGD (Zhang, Choromanska & LeCun 2015, Algorithm 2): each worker
 * runs Nesterov momentum SGD, v ← δv − η∇f(x + δv); x ← x + v, and every τ steps the elastic
 * exchange of {@link EASGD}. Returns the worker's local optimizer and its parallel side, to hand to
 * `train` together.
 *
 * @example
 * const { optimizer, parallel } = eamsgd(model.parameters(), store, { rank, workers: 2, lr: 0.01, delta: 0.9 });
 * train({ model, criterion, optimizer, parallel, data, epochs: 5 }).subscribe();
 */
export function eamsgd(params: Iterable<Tensor>, store: CenterStore, options: EAMSGDOptions): { optimizer: SGD; parallel: EASGD } {
  const list = [...params];
  const optimizer = new SGD(list, { lr: options.lr, momentum: options.delta ?? 0.9, nesterov: true, weightDecay: options.weightDecay ?? 0 });
  const parallel = new EASGD(list, store, { ...options, name: options.name ?? (options.synchronous ? 'eamsgd-sync' : 'eamsgd') });
  return { optimizer, parallel };
}
