import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { babiBatch, babiItems, BabiFormatError, NIL, parseBabi, readBabi, sentenceLength, Vocabulary, type BabiStory } from '@eole/rnn-memory';
import { fuzz, tempDir, type FuzzMutator } from '@eole/core/testing';

// Seeded mutation fuzzing of the bAbI readers (issue 13): every mutant of a valid file is either
// well-formed stories or a BabiFormatError naming the file and line, within TIME_MS and
// MEMORY_BYTES per read. Then the regressions: a 12,000 × 12,000 story, a tab inside a statement.

/** What one read may take. */
const TIME_MS = 2000;
const MEMORY_BYTES = 64 * 2 ** 20;

const SEED = [
  '1 Mary moved to the bathroom.',
  '2 John went to the hallway.',
  '3 Where is Mary? \tbathroom\t1',
  '4 Daniel went back to the hallway.',
  '5 Where is Daniel? \thallway\t4',
  '6 Is John in the hallway? \tyes\t2',
  '1 Sandra travelled to the office.',
  '2 Sandra picked up the football.',
  '3 What is Sandra carrying? \tapple,football\t2 1',
  '',
].join('\n');

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A text mutation as a fuzz mutator. */
const textMutator = (mutate: (text: string, pick: (n: number) => number) => [string, string]): FuzzMutator => (bytes, rng) => {
  const [text, description] = mutate(decoder.decode(bytes), (n) => rng.int(n));
  return { bytes: encoder.encode(text), description };
};

const lineMutator = (mutate: (line: string, pick: (n: number) => number) => [string, string]) =>
  textMutator((text, pick) => {
    const lines = text.split('\n');
    const at = pick(lines.length);
    const [line, what] = mutate(lines[at]!, pick);
    lines[at] = line;
    return [lines.join('\n'), `line ${at + 1}: ${what}`];
  });

const MUTATORS: Record<string, FuzzMutator> = {
  tab: lineMutator((line, pick) => {
    const at = pick(line.length + 1);
    return [`${line.slice(0, at)}\t${line.slice(at)}`, `tab inserted at column ${at}`];
  }),
  id: lineMutator((line, pick) => {
    const ids = ['0', '-1', '1', '2', '7', '01', '1e3', '1.5', '9007199254740993', '9'.repeat(400), '', 'x'];
    const id = ids[pick(ids.length)]!;
    return [line.replace(/^\S*/, id), `ID set to '${id.length > 20 ? `${id.slice(0, 20)}…` : id}'`];
  }),
  'question mark': lineMutator((line) => (line.includes('?') ? [line.replace('?', ''), "'?' removed"] : [line.replace(/\.?$/, '?'), "'?' added"])),
  support: lineMutator((line, pick) => {
    const refs = ['', '0', '3', '99999999999999999999', '1 1 1', 'a', '-1', ' '];
    const ref = refs[pick(refs.length)]!;
    return [line.replace(/\t[^\t]*$/, `\t${ref}`), `supporting IDs set to '${ref}'`];
  }),
  'duplicate line': textMutator((text, pick) => {
    const lines = text.split('\n');
    const at = pick(lines.length);
    lines.splice(at, 0, lines[at]!);
    return [lines.join('\n'), `line ${at + 1} duplicated`];
  }),
  'long story': textMutator((_, pick) => {
    const n = 1 + pick(3000);
    return [longStory(n), `one story of ${n} statements and ${n} questions`];
  }),
};

/** One story of n statements, each followed by a question about it: 2n lines. */
function longStory(n: number): string {
  const lines: string[] = [];
  for (let i = 1; i <= n; i++) lines.push(`${2 * i - 1} Mary went to room ${i % 7}.`, `${2 * i} Where is Mary? \troom\t${2 * i - 1}`);
  return `${lines.join('\n')}\n`;
}

/** Well-formed stories: supporting facts and memories index the story's statements. */
function validStories(result: unknown): boolean {
  for (const story of result as BabiStory[]) {
    if (story.sentences.some((s) => s.length === 0)) return false;
    let told = 0;
    for (const q of story.questions) {
      const memory = q.memory;
      if (memory.length < told || memory.length > story.sentences.length || memory.some((m, k) => m !== k)) return false;
      if (q.supporting.some((s) => !(s >= 0 && s < memory.length)) || q.answer === '' || q.question.length === 0 || !(q.line >= 1)) return false;
      told = memory.length;
    }
  }
  return true;
}

const named = (file: RegExp) => (error: Error): boolean => error instanceof BabiFormatError && file.test(error.message);

test('fuzz: parseBabi on mutant texts gives well-formed stories or an error naming the file and line', async (t) => {
  await fuzz(t, {
    seedFile: encoder.encode(SEED), seed: 13, count: 300, truncations: 'all', mutators: MUTATORS,
    read: (bytes) => parseBabi(decoder.decode(bytes), 'fuzz.txt'), errors: named(/^fuzz\.txt:\d+: /), valid: validStories,
    timeLimitMs: TIME_MS, memoryLimitBytes: MEMORY_BYTES,
  });
});

test('fuzz: readBabi on mutant files gives well-formed stories or an error naming the path and line', async (t) => {
  await fuzz(t, {
    seedFile: encoder.encode(SEED), seed: 113, count: 200, truncations: 64, mutators: MUTATORS, fileName: 'fuzz.txt',
    read: (_, path) => readBabi(path), errors: named(/^.*fuzz\.txt:\d+: /), valid: validStories,
    timeLimitMs: TIME_MS, memoryLimitBytes: MEMORY_BYTES,
  });
});

/** V8's collector, exposed at run time so that heap measurements are of live objects only. */
function collector(): () => void {
  setFlagsFromString('--expose_gc');
  return runInNewContext('gc') as () => void;
}

test('regression: a story of 12,000 statements and 12,000 questions shares its memory (O(S + Q), not O(S·Q))', (t) => {
  const text = longStory(12_000);
  const gc = collector();
  gc();
  const before = process.memoryUsage().heapUsed;
  const start = Date.now();
  const stories = parseBabi(text, 'long.txt');
  const ms = Date.now() - start;
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  // Each question holding its own copy of the indices of the statements before it would hold
  // 12,000 · 12,001 / 2 = 72 million of them: at least 288 MB (4 bytes each), the 1 GB of the issue.
  t.true(grown < 64 * 2 ** 20, `parsing grew the heap by ${(grown / 2 ** 20).toFixed(1)} MiB`);
  t.true(ms < 10_000, `parsing took ${ms} ms`);
  const [story] = stories as [BabiStory];
  t.is(story.sentences.length, 12_000);
  t.is(story.questions.length, 12_000);
  t.is(story.questions[0]!.memory.length, 1);
  t.is(story.questions[11_999]!.memory.length, 12_000);
  t.deepEqual(story.questions[11_999]!.memory.slice(-3), [11_997, 11_998, 11_999]);
  t.deepEqual(story.questions[11_999]!.supporting, [11_999]);
  // The batch of the last question is the 50 newest statements, as before.
  const vocab = Vocabulary.fromStories(stories);
  const L = sentenceLength(stories);
  const { x } = babiBatch(babiItems(stories).slice(-1), vocab, 50, L);
  const slot = (k: number): string[] => [...x.data.subarray(k * L, (k + 1) * L)].map((id) => vocab.word(id)).filter((w) => w !== NIL);
  t.deepEqual(slot(0), ['mary', 'went', 'to', 'room', String(12_000 % 7)]);
  t.deepEqual(slot(49), ['mary', 'went', 'to', 'room', String(11_951 % 7)]);
  t.log(`12,000 × 12,000 story: heap +${(grown / 2 ** 20).toFixed(1)} MiB`);
  t.is(stories.length, 1); // keeps the stories alive through the measurement
});

test('regression: a tab inside a statement is an error naming the file, line and field, not a question', (t) => {
  const cases: [string, RegExp][] = [
    ['1 Mary went\tto the office.\n', /^bad\.txt:1: a tab in statement 1 \('Mary went<TAB>…'\): only a question line \('question\?<TAB>answer<TAB>supporting IDs', the question ending in '\?'\) holds tabs$/],
    ['1 A b.\n2 Mary went to the office.\toffice\t1\n', /^bad\.txt:2: a tab in statement 2 \('Mary went to the office\.<TAB>…'\)/],
    ['1 A b.\n2 Where is A? \tb\n', /^bad\.txt:2: expected 'question<TAB>answer<TAB>supporting IDs', got 2 tab-separated fields$/],
  ];
  for (const [text, message] of cases) {
    const error = t.throws(() => parseBabi(text, 'bad.txt'), { instanceOf: BabiFormatError, message });
    t.is(error?.file, 'bad.txt');
  }
  const path = join(tempDir('babi'), 'tab.txt');
  writeFileSync(path, '1 Mary went\tto the office.\n');
  const error = t.throws(() => readBabi(path), { instanceOf: BabiFormatError, message: /tab\.txt:1: a tab in statement 1/ });
  t.is(error?.line, 1);
  t.deepEqual(parseBabi('1 A b.\n2 Where is A? \tb\t1\n')[0]!.questions[0]!.supporting, [0], 'a well-formed question still reads');
});
