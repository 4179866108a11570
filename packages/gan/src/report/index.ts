/**
 * `@eole/gan/report`: pictures of generators. {@link imageGrid} (samples as a grid, white digits on
 * black), {@link plotSamples} (a grid per epoch from fixed noise and a strip with one row per epoch)
 * and {@link plotAdversarialCurves} (D and G losses, D(x), D(G(z))), as consumers of
 * `adversarialTrain`'s event stream; {@link adversarialChart} is the Vega-Lite spec of those curves.
 *
 * @example
 * import { plotAdversarialCurves, plotSamples } from '@eole/gan/report';
 * adversarialTrain(options).pipe(plotSamples('out/samples.png', sample), plotAdversarialCurves('out/losses.png')).subscribe();
 *
 * @packageDocumentation
 */
export { imageGrid, type ImageGridOptions } from './imageGrid.js';
export { plotSamples, type PlotSamplesOptions } from './plotSamples.js';
export { plotAdversarialCurves, type PlotAdversarialCurvesOptions } from './plotAdversarialCurves.js';
export { adversarialChart, type AdversarialCurves, type AdversarialStep } from './adversarialChart.js';
