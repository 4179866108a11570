/**
 * `@eole/conv/report`: ConvNet pictures, kept out of the main entry like `@eole/core/report`.
 * {@link plotFilters} redraws a convolution's filters as a PNG strip after every epoch.
 *
 * @example
 * import { plotFilters } from '@eole/conv/report';
 * train(net, criterion, optimizer, data).pipe(plotFilters(net.conv1.weight, 'out/filters.png')).subscribe();
 *
 * @packageDocumentation
 */
export { plotFilters, filtersFigure, FILTERS_BACKGROUND, type FilterRow, type FiltersFigureOptions, type PlotFiltersOptions } from './plotFilters.js';
