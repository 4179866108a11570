import test from 'ava';
import { Writable } from 'node:stream';
import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import type { TrainEvent } from '@eole/core';
import { progressBar } from '@eole/core/report';

// The auto mode is under test: the environment must not choose it.
delete process.env['EOLE_PROGRESS'];

/** A writable that keeps what is written, posing as a terminal or not. */
function fakeStream(isTTY: boolean): Writable & { isTTY: boolean; columns: number; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return Object.assign(stream, { isTTY, columns: 120, text: () => chunks.join('') });
}

/** The events of a 3-epoch run of 4 steps each, with validation and checkpoints. */
function runEvents(epochs = 3, accuracy = true): TrainEvent[] {
  const events: TrainEvent[] = [{ type: 'start', epochs, startEpoch: 1, parameters: 100 }];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (let step = 1; step <= 4; step++) {
      events.push({ type: 'step', epoch, step, steps: epoch > 1 ? 4 : null, loss: 1 / (epoch + step), lr: 0.1, samplesPerSec: 1000, backend: 'cpu' });
    }
    events.push({ type: 'epoch', epoch, epochs, loss: 1 / epoch, steps: 4, samples: 128, seconds: 0.5, lr: 0.1 / epoch, backend: 'cpu' });
    events.push({ type: 'checkpoint', epoch, path: '/tmp/x/checkpoint.safetensors' });
    events.push({ type: 'validation', epoch, metrics: { loss: 1.2 / epoch, samples: 50, ...(accuracy ? { accuracy: 0.5 + 0.1 * epoch } : {}) } });
  }
  events.push({ type: 'done', epochs, seconds: 1.5 });
  return events;
}

test('progressBar off a terminal prints one plain line per epoch (and one at the end), and passes events through', async (t) => {
  const stream = fakeStream(false);
  const events = runEvents();
  const passed = await lastValueFrom(from(events).pipe(progressBar({ stream }), toArray()));
  t.deepEqual(passed, events);
  const text = stream.text();
  t.false(/[\r\x1b]/.test(text), 'no carriage returns or escape codes in a log');
  const lines = text.trimEnd().split('\n');
  t.is(lines.length, 4, text);
  lines.slice(0, 3).forEach((line, i) => {
    t.regex(line, new RegExp(`^epoch ${i + 1}/3  loss \\d\\.\\d{4}  val loss \\d\\.\\d{4}  val acc \\d+\\.\\d\\d%  lr \\S+  0\\.5s  256 samples/s  cpu$`));
  });
  t.regex(lines[0]!, /val acc 60\.00%/);
  t.is(lines[3], 'done: 3 epochs in 1.5s');
  // Without validation the epoch line still comes, when the next epoch starts.
  const bare = fakeStream(false);
  await lastValueFrom(from(runEvents(2).filter((e) => e.type !== 'validation')).pipe(progressBar({ stream: bare })));
  t.deepEqual(bare.text().trimEnd().split('\n').map((l) => l.split('  ')[0]), ['epoch 1/2', 'epoch 2/2', 'done: 2 epochs in 1.5s']);
  // `off` prints nothing.
  const silent = fakeStream(false);
  await lastValueFrom(from(events).pipe(progressBar({ stream: silent, mode: 'off' })));
  t.is(silent.text(), '');
});

test('progressBar on a terminal draws a cli-progress bar with ETA, loss, accuracy and samples/s, epoch lines above it', async (t) => {
  const stream = fakeStream(true);
  await lastValueFrom(from(runEvents()).pipe(progressBar({ stream, stepsPerEpoch: 4 })));
  const text = stream.text();
  t.regex(text, /epoch 3\/3 \u2588+ 100% \| step 4\/4 \| ETA \S+ \| loss \d\.\d{4} \| acc 80\.00% \| 1000 samples\/s/);
  for (const e of [1, 2, 3]) t.regex(text, new RegExp(`epoch ${e}/3  loss .* val acc`));
  t.true(text.includes('\x1b['), 'drawn with terminal control codes');
  t.regex(text, /done: 3 epochs in 1\.5s\n(.|\n)*epoch 3\/3 \u2588{24} 100%/, 'the finished bar is drawn last, below the lines');
});

test('progressBar stops drawing when the stream errors or is unsubscribed', async (t) => {
  const stream = fakeStream(true);
  const source = new Subject<TrainEvent>();
  const sub = source.pipe(progressBar({ stream })).subscribe();
  for (const e of runEvents().slice(0, 6)) source.next(e);
  sub.unsubscribe();
  t.true(stream.text().includes('\x1b[?7h') && stream.text().endsWith('\n'), 'the bar was stopped: line wrapping restored, cursor on a new line');
  const length = stream.text().length;
  await new Promise((r) => setTimeout(r, 250));
  t.is(stream.text().length, length, 'no redraw after unsubscribe (the timer is cleared)');
  const failing = new Subject<TrainEvent>();
  const errors: unknown[] = [];
  failing.pipe(progressBar({ stream: fakeStream(false) })).subscribe({ error: (e) => errors.push(e) });
  failing.error(new Error('boom'));
  t.is((errors[0] as Error).message, 'boom');
});
