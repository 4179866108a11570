import type { ServerResponse } from 'node:http';

/** What {@link SseHub.stats} says about one connected client. */
export interface SseClientStats {
  /** The client's number, in order of arrival. */
  readonly id: number;
  /** Frames written to its socket so far. */
  readonly sent: number;
  /** Kept frames not yet written to it (it is behind, or its buffer was full). */
  readonly behind: number;
  /** Updates of a latest-only key it never saw, replaced by newer ones before it could take them. */
  readonly coalesced: number;
  /** Bytes queued in its socket's buffer in this process (`res.writableLength`). */
  readonly buffered: number;
  /** True while its buffer is full: nothing more is written until it drains. */
  readonly waiting: boolean;
}

/** Options of {@link SseHub}. */
export interface SseHubOptions {
  /** Latest-only updates reach the clients at most this often, in milliseconds (default 100). */
  latestIntervalMs?: number;
}

interface Client {
  readonly id: number;
  readonly res: ServerResponse;
  /** Index of the next kept frame to write. */
  next: number;
  /** Per latest-only key, the sequence number last written. */
  readonly seen: Map<string, number>;
  sent: number;
  coalesced: number;
  waiting: boolean;
}

interface Latest {
  readonly seq: number;
  readonly frame: string;
}

/**
 * Server-sent events to any number of clients, without ever making the producer wait: the live
 * dashboard's transport (see ./live.ts).
 *
 * Two kinds of message. A kept one ({@link keep}: an epoch, a validation, the run's configuration)
 * joins a history that every client receives in full and in order, a late client first of all. A
 * latest-only one ({@link latest}: a training step, the newest version of a PNG) replaces the
 * previous message of its key; a client gets the newest of each key, at most every
 * `latestIntervalMs`, and the ones it was too slow to take are dropped (coalesced).
 *
 * Nothing is awaited: each message is serialized once and written to every client whose socket
 * buffer has room (`res.writableNeedDrain` false, `write()` returned true). A client whose buffer
 * is full is skipped and resumes from where it stopped on its `drain` event, so a tab that does not
 * read holds at most one buffer of bytes and costs the producer one boolean test per message. A
 * client that disconnects is forgotten.
 *
 * @example
 * const hub = new SseHub();
 * createServer((req, res) => hub.attach(res)).listen(8080);
 * hub.keep({ type: 'epoch', epoch: 1, loss: 0.3 });
 * hub.latest('step', { type: 'step', step: 17, loss: 0.29 });
 */
export class SseHub {
  private readonly history: string[] = [];
  private readonly newest = new Map<string, Latest>();
  private readonly clients = new Set<Client>();
  private readonly intervalMs: number;
  private seq = 0;
  private ids = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(options: SseHubOptions = {}) {
    this.intervalMs = options.latestIntervalMs ?? 100;
  }

  /** Clients connected now. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Kept messages so far. */
  get historyLength(): number {
    return this.history.length;
  }

  /** Adds `data` to the history and writes it to every client that has room. */
  keep(data: unknown): void {
    if (this.closed) return;
    this.history.push(frame(data));
    for (const client of this.clients) this.flush(client);
  }

  /** Makes `data` the newest message of `key`; clients get it within `latestIntervalMs`. */
  latest(key: string, data: unknown): void {
    if (this.closed) return;
    const previous = this.newest.get(key);
    if (previous) {
      for (const client of this.clients) if ((client.seen.get(key) ?? -1) < previous.seq) client.coalesced++;
    }
    this.newest.set(key, { seq: this.seq++, frame: frame(data) });
    if (this.timer === null && this.clients.size > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        for (const client of this.clients) this.flush(client);
      }, this.intervalMs);
      this.timer.unref();
    }
  }

  /**
   * Turns `res` into an event stream (status 200, `text/event-stream`) and sends it the history and
   * the newest message of every key, as far as its buffer allows.
   */
  attach(res: ServerResponse): void {
    if (this.closed) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('the run has ended');
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'access-control-allow-origin': '*',
    });
    res.socket?.setNoDelay(true);
    res.write('retry: 2000\n\n');
    const client: Client = { id: this.ids++, res, next: 0, seen: new Map(), sent: 0, coalesced: 0, waiting: false };
    this.clients.add(client);
    const forget = (): void => {
      this.clients.delete(client);
    };
    res.on('close', forget);
    res.on('error', forget);
    res.on('drain', () => {
      client.waiting = false;
      this.flush(client);
    });
    this.flush(client);
  }

  /** Every connected client's state. */
  stats(): SseClientStats[] {
    return [...this.clients].map((c) => ({ id: c.id, sent: c.sent, behind: this.history.length - c.next, coalesced: c.coalesced, buffered: c.res.writableLength, waiting: c.waiting }));
  }

  /**
   * Ends the stream: sends `last` (when given) to every client that has room, ends every response
   * and refuses new clients. Messages published afterwards are ignored.
   */
  close(last?: unknown): void {
    if (this.closed) return;
    if (last !== undefined) this.keep(last);
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const client of this.clients) {
      this.flush(client);
      client.res.end();
    }
    this.clients.clear();
  }

  /** Writes what `client` has not had yet, until its buffer is full. */
  private flush(client: Client): void {
    const { res } = client;
    if (client.waiting || res.destroyed || res.writableEnded) return;
    while (client.next < this.history.length) {
      if (!this.write(client, this.history[client.next++]!)) return;
    }
    for (const [key, latest] of this.newest) {
      if ((client.seen.get(key) ?? -1) >= latest.seq) continue;
      client.seen.set(key, latest.seq);
      if (!this.write(client, latest.frame)) return;
    }
  }

  /** One frame to one client; false when its buffer is full (it waits for `drain`). */
  private write(client: Client, text: string): boolean {
    client.sent++;
    if (client.res.write(text) && !client.res.writableNeedDrain) return true;
    client.waiting = true;
    return false;
  }
}

/** One SSE message: the JSON of `data` (non-finite numbers become null). */
function frame(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}
