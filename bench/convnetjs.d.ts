/** The parts of ConvNetJS 0.3.0 (Karpathy; CommonJS, no types shipped) that the LeNet-5 benchmark uses. */
declare module 'convnetjs' {
  /** A volume [sx, sy, depth], stored in `w` at ((sx·y) + x)·depth + d (Float64Array). */
  export class Vol {
    constructor(sx: number, sy: number, depth: number, c?: number);
    sx: number;
    sy: number;
    depth: number;
    w: Float64Array;
    dw: Float64Array;
  }
  export interface LayerDef {
    type: 'input' | 'conv' | 'pool' | 'fc' | 'softmax' | 'relu';
    [option: string]: string | number;
  }
  export interface Layer {
    layer_type: string;
    filters?: Vol[];
    biases?: Vol;
  }
  export class Net {
    layers: Layer[];
    makeLayers(defs: LayerDef[]): void;
    forward(v: Vol, isTraining?: boolean): Vol;
  }
  export interface TrainerOptions {
    method?: 'sgd' | 'adagrad' | 'adadelta' | 'windowgrad';
    learning_rate?: number;
    batch_size?: number;
    momentum?: number;
    l1_decay?: number;
    l2_decay?: number;
  }
  export class Trainer {
    constructor(net: Net, options?: TrainerOptions);
    train(x: Vol, y: number): { cost_loss: number; loss: number };
  }
}
