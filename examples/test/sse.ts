import { get, type ClientRequest } from 'node:http';

/** A test client of a server-sent event stream: collects the JSON of every `data:` message. */
export interface SseReader {
  /** The messages so far, parsed. */
  readonly events: { type: string; [key: string]: unknown }[];
  /** Resolves once a message matches `pred` (rejects after `ms` or when the stream ends first). */
  until(pred: (e: { type: string; [key: string]: unknown }) => boolean, ms?: number): Promise<void>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  readonly request: ClientRequest;
}

/** Opens `url` as an event stream. */
export function readSse(url: string): SseReader {
  const events: SseReader['events'] = [];
  const waiters = new Set<() => void>();
  let done = false;
  let endedResolve!: () => void;
  const ended = new Promise<void>((r) => (endedResolve = r));
  const request = get(url, (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      text += chunk;
      let cut: number;
      while ((cut = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, cut);
        text = text.slice(cut + 2);
        const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        if (data !== '') events.push(JSON.parse(data) as SseReader['events'][number]);
      }
      for (const w of waiters) w();
    });
    res.on('end', () => {
      done = true;
      for (const w of waiters) w();
      endedResolve();
    });
  });
  request.on('error', () => {
    done = true;
    endedResolve();
  });
  const until: SseReader['until'] = (pred, ms = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (events.some(pred)) finish(resolve);
        else if (done) finish(() => reject(new Error(`the stream ended first; got ${events.map((e) => e.type).join(' ')}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out; got ${events.length} messages`))), ms);
      const finish = (then: () => void): void => {
        clearTimeout(timer);
        waiters.delete(check);
        then();
      };
      waiters.add(check);
      check();
    });
  return { events, until, ended, request };
}
