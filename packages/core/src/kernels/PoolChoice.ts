/**
 * Decides, per compiled module (one kernel at one size), whether the pool pays, by measurement as
 * the backend threshold is: the first pooled call warms the workers up (they instantiate the
 * module), then single-thread and pooled runs alternate until each has {@link PoolChoice.samples}
 * timings, and the faster median wins for the next {@link PoolChoice.recheck} calls, after which
 * it is measured again (a choice made while the machine was busy does not last the whole run).
 * The choice never changes results.
 */
export class PoolChoice {
  /** Work (multiply-adds) below which a launch never considers the pool. */
  static minWork = 8192;
  /** Timed runs of each kind before choosing. */
  static samples = 3;
  /** Calls a choice lasts before it is measured again. */
  static recheck = 2000;
  private readonly state = new Map<number, State>();

  /** Whether the next call of module `id` should go to the pool (`ready`: some worker is alive). */
  usePool(id: number, ready: boolean): boolean {
    const s = this.entry(id);
    if (s.choice !== null && ++s.since > PoolChoice.recheck) {
      s.choice = null;
      s.single = [];
      s.pooled = [];
    }
    if (s.choice !== null) return s.choice;
    if (!ready) return false;
    if (!s.warm) return true;
    return s.pooled.length < s.single.length;
  }

  /** Records one timed call of module `id`. */
  record(id: number, pooled: boolean, ms: number): void {
    const s = this.entry(id);
    if (s.choice !== null) return;
    if (pooled && !s.warm) {
      s.warm = true;
      return;
    }
    (pooled ? s.pooled : s.single).push(ms);
    if (s.pooled.length >= PoolChoice.samples && s.single.length >= PoolChoice.samples) {
      s.choice = median(s.pooled) < median(s.single);
      s.since = 0;
    }
  }

  /** Drops what was measured for a module gpu.js evicted. */
  forget(id: number): void {
    this.state.delete(id);
  }

  private entry(id: number): State {
    let s = this.state.get(id);
    if (!s) {
      s = { single: [], pooled: [], warm: false, choice: null, since: 0 };
      this.state.set(id, s);
    }
    return s;
  }
}

/** What {@link PoolChoice} knows of one compiled module. */
interface State {
  single: number[];
  pooled: number[];
  /** The workers have run this module once (instantiated it). */
  warm: boolean;
  /** Pool (true) or main thread (false); null while measuring. */
  choice: boolean | null;
  /** Calls since the choice was made. */
  since: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}
