/**
 * Pull-based backpressure for Eole's RxJS data pipelines. RxJS pushes; a data source must not
 * run ahead of a slow consumer (a training step), so Eole's sources produce one item at a time and
 * wait at a gate before each. `prefetch(k)` installs a gate while it subscribes to its upstream
 * (subscription runs synchronously down the chain to the source, which captures the gate), counts
 * the items it has emitted that the consumer has not yet taken, and closes the gate at k.
 */
export class Gate {
  private waiting: (() => void)[] = [];
  private outstanding = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`prefetch: capacity must be a positive integer, got ${capacity}`);
  }

  /** Items emitted downstream and not yet consumed. */
  get pending(): number {
    return this.outstanding;
  }

  /** Resolves when fewer than `capacity` items are pending. */
  acquire(): Promise<void> | null {
    if (this.outstanding < this.capacity) return null;
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** One more item went downstream. */
  produced(): void {
    this.outstanding++;
  }

  /** The consumer took one item. */
  consumed(): void {
    this.outstanding = Math.max(0, this.outstanding - 1);
    while (this.outstanding < this.capacity && this.waiting.length > 0) this.waiting.shift()!();
  }

  /** Releases every waiter (on unsubscribe). */
  open(): void {
    this.outstanding = 0;
    for (const w of this.waiting.splice(0)) w();
  }
}

let ambient: Gate | null = null;

/** Runs `subscribe` with `gate` as the gate that sources subscribed inside it will honour. */
export function withGate<T>(gate: Gate | null, subscribe: () => T): T {
  const previous = ambient;
  ambient = gate;
  try {
    return subscribe();
  } finally {
    ambient = previous;
  }
}

/** The gate a source subscribed right now must honour, if any. */
export function currentGate(): Gate | null {
  return ambient;
}

/** A consumer that pulls (an async iterator over an Observable) and tells the gate what it took. */
export interface PullConsumer {
  register(gate: Gate): void;
}

let ambientConsumer: PullConsumer | null = null;

/** Runs `subscribe` with `consumer` visible to a `prefetch` subscribed inside it. */
export function withConsumer<T>(consumer: PullConsumer | null, subscribe: () => T): T {
  const previous = ambientConsumer;
  ambientConsumer = consumer;
  try {
    return subscribe();
  } finally {
    ambientConsumer = previous;
  }
}

/** The pulling consumer of the subscription in progress, if any. */
export function currentConsumer(): PullConsumer | null {
  return ambientConsumer;
}
