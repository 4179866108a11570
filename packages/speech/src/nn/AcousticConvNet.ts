import { defaultGenerator, Dropout, Linear, LogSoftMax, ReLU, Sequential, View, type Generator } from '@eole/core';
import { SpatialConvolution, SpatialMaxPooling } from '@eole/conv';
import { N_COEFFS, WINDOW_FRAMES } from '../data/digitWindows.js';

/** Options of {@link AcousticConvNet}. */
export interface AcousticConvNetOptions {
  /** Generator of the initial weights (default: the global one). */
  rng?: Generator;
  /** Output classes (default 10, the digits). */
  classes?: number;
  /** Feature maps of the two convolution layers (default [8, 16]). */
  planes?: readonly [number, number];
  /** Units of the hidden fully connected layer (default 64). */
  hidden?: number;
  /** Dropout before each of the two fully connected layers (default 0.3; 0 for none); draws from `dropoutRng`. */
  dropout?: number;
  dropoutRng?: Generator;
}

/** The architecture options of an {@link AcousticConvNet}, all filled in (what a checkpoint must record). */
export type AcousticConvNetConfig = Required<Pick<AcousticConvNetOptions, 'classes' | 'planes' | 'hidden' | 'dropout'>>;

/** `options` with the defaults of {@link AcousticConvNet} filled in. */
export function acousticConvNetConfig(options: AcousticConvNetOptions = {}): AcousticConvNetConfig {
  const config = { classes: options.classes ?? 10, planes: options.planes ?? ([8, 16] as const), hidden: options.hidden ?? 64, dropout: options.dropout ?? 0.3 };
  const whole = (name: string, v: number): void => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`AcousticConvNet: ${name} must be a positive integer, got ${v}`);
  };
  whole('classes', config.classes);
  whole('planes[0]', config.planes[0]);
  whole('planes[1]', config.planes[1]);
  whole('hidden', config.hidden);
  if (!(config.dropout >= 0 && config.dropout < 1)) throw new RangeError(`AcousticConvNet: dropout must be in [0, 1), got ${config.dropout}`);
  return config;
}

/**
 * The ConvNet acoustic model of the lecture (LeCun, "Deep Learning", 2016; after Abdel-Hamid,
 * Mohamed, Jiang & Penn, "Applying convolutional neural networks concepts to hybrid NN-HMM model for
 * speech recognition", ICASSP 2012, and Sainath et al., "Deep convolutional neural networks for
 * LVCSR", ICASSP 2013) over a window of 40 MFCC coefficients (H) × 40 frames of 10 ms (W), given
 * as [N, 1600] (coefficient-major, see `windowInput`) or [N, 1, 40, 40]:
 *
 *   conv 1→p₁ 9×9 (40×40 → 32×32) → ReLU → max-pool 2×2 (16×16)
 *   → conv p₁→p₂ 5×5 (12×12) → ReLU → max-pool 2×2 (6×6)
 *   → Dropout → Linear(36·p₂ → hidden) → ReLU → Dropout → Linear(hidden → classes) → LogSoftMax.
 *
 * The 9×9 first-layer kernels span 9 coefficients by 90 ms; dropout (Srivastava et al., JMLR 2014)
 * acts only in the last, fully connected layers. Defaults p₁ = 8, p₂ = 16, hidden 64 (41,450
 * weights): about 1.2 M multiply-adds a window, small enough to train on FSDD in seconds an epoch.
 *
 * @example
 * const net = AcousticConvNet({ rng: new Generator(1), dropoutRng: new Generator(2) });
 * net.forward(Tensor.zeros([32, 1600])).shape; // [32, 10] log-probabilities
 */
export function AcousticConvNet(options: AcousticConvNetOptions = {}): Sequential {
  const { classes, planes, hidden, dropout } = acousticConvNetConfig(options);
  const rng = options.rng ?? defaultGenerator;
  const dropoutRng = options.dropoutRng ?? defaultGenerator;
  const [p1, p2] = planes;
  const h1 = N_COEFFS - 8, w1 = WINDOW_FRAMES - 8; // after the 9×9 convolution
  const h2 = Math.floor(h1 / 2) - 4, w2 = Math.floor(w1 / 2) - 4; // after pooling and the 5×5 convolution
  const flat = p2 * Math.floor(h2 / 2) * Math.floor(w2 / 2);
  const net = new Sequential(
    new View(1, N_COEFFS, WINDOW_FRAMES),
    new SpatialConvolution(1, p1, 9, 9, 1, 1, 0, 0, { rng }),
    new ReLU(),
    new SpatialMaxPooling(2, 2, 2, 2),
    new SpatialConvolution(p1, p2, 5, 5, 1, 1, 0, 0, { rng }),
    new ReLU(),
    new SpatialMaxPooling(2, 2, 2, 2),
    new View(flat),
  );
  if (dropout > 0) net.add(new Dropout(dropout, { rng: dropoutRng }));
  net.add(new Linear(flat, hidden, { rng })).add(new ReLU());
  if (dropout > 0) net.add(new Dropout(dropout, { rng: dropoutRng }));
  return net.add(new Linear(hidden, classes, { rng })).add(new LogSoftMax());
}
