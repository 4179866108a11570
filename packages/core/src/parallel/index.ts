/**
 * `@eole/core/parallel`: the Node-only side of parallel training (DESIGN.md, "Beyond one core, one
 * process, one machine"): centre stores that cross a thread, process or machine boundary, and the
 * runner that starts workers. The algorithms themselves (EASGD, EAMSGD, DOWNPOUR, synchronous
 * data-parallel SGD) and the in-process store are in `@eole/core`.
 *
 * @packageDocumentation
 */
export {};
