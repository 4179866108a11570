import test from 'ava';
import { dataTest } from '@eole/core/testing';
import { babiBatch, babiItems, BabiFormatError, NIL, parseBabi, readBabi, sentenceLength, tokenize, Vocabulary } from '@eole/rnn-memory';

const STORIES = [
  '1 Mary moved to the bathroom.',
  '2 John went to the hallway.',
  '3 Where is Mary? \tbathroom\t1',
  '4 Daniel went back to the hallway.',
  '5 Where is Daniel? \thallway\t4',
  '1 Sandra travelled to the office.',
  '2 Is Sandra in the office? \tyes\t1',
  '',
].join('\n');

test('parseBabi: stories, tokenised statements, questions with their supporting facts and memory', (t) => {
  const stories = parseBabi(STORIES, 'tiny.txt');
  t.is(stories.length, 2);
  const [first, second] = stories as [(typeof stories)[0], (typeof stories)[0]];
  t.deepEqual(first.sentences, [
    ['mary', 'moved', 'to', 'the', 'bathroom'],
    ['john', 'went', 'to', 'the', 'hallway'],
    ['daniel', 'went', 'back', 'to', 'the', 'hallway'],
  ]);
  t.deepEqual(first.questions, [
    { question: ['where', 'is', 'mary'], answer: 'bathroom', supporting: [0], memory: [0, 1], line: 3 },
    { question: ['where', 'is', 'daniel'], answer: 'hallway', supporting: [2], memory: [0, 1, 2], line: 5 },
  ]);
  t.deepEqual(second.questions[0]!.memory, [0]);
  t.is(second.questions[0]!.answer, 'yes');
  t.deepEqual(tokenize('Is Sandra in the office? '), ['is', 'sandra', 'in', 'the', 'office']);
});

test('parseBabi: supporting IDs map to statements when questions sit between them; CRLF and list answers are read', (t) => {
  const text = '1 A b.\r\n2 Q one? \tx\t1\r\n3 C d.\r\n4 Q two? \tapple,football\t3 1\r\n';
  const [story] = parseBabi(text);
  t.deepEqual(story!.questions[1]!.supporting, [1, 0]);
  t.is(story!.questions[1]!.answer, 'apple,football');
  t.deepEqual(story!.questions[1]!.memory, [0, 1]);
});

const malformed: [string, string, RegExp][] = [
  ['an ID that is not a number', '1 A b.\nx Where? \ta\t1\n', /^bad\.txt:2: the line must start with a positive integer ID and a space, got 'x Where\? \ta\t1'$/],
  ['an ID of 0', '0 A b.\n', /^bad\.txt:1: the line must start with a positive integer ID/],
  ['a first story that does not start at 1', '2 A b.\n', /^bad\.txt:1: the first story must start at ID 1, got ID 2$/],
  ['a skipped ID', '1 A b.\n2 C d.\n4 E f.\n', /^bad\.txt:3: ID 4 follows ID 2: IDs must count up by one within a story, or restart at 1 for a new story$/],
  ['a repeated ID', '1 A b.\n2 C d.\n2 E f.\n', /^bad\.txt:3: ID 2 follows ID 2/],
  ['a question without its tab-separated answer', '1 A b.\n2 Where is A?\n', /^bad\.txt:2: question 'Where is A\?' has no answer: expected 'question<TAB>answer<TAB>supporting IDs'$/],
  ['an empty answer', '1 A b.\n2 Where is A? \t\t1\n', /^bad\.txt:2: question 'Where is A\?' has an empty answer$/],
  ['a supporting ID past the question', '1 A b.\n2 Where is A? \tb\t3\n3 C d.\n', /^bad\.txt:2: supporting fact ID '3' does not name an earlier statement of this story$/],
  ['a supporting ID naming a question', '1 A b.\n2 Where? \tb\t1\n3 Again? \tb\t2\n', /^bad\.txt:3: supporting fact ID '2' does not name/],
  ['a supporting ID of the previous story', '1 A b.\n2 C d.\n1 E f.\n2 Where? \tb\t2\n', /^bad\.txt:4: supporting fact ID '2' does not name/],
  ['a supporting ID that is not a number', '1 A b.\n2 Where? \tb\tone\n', /^bad\.txt:2: supporting fact ID 'one'/],
  ['too many tabs', '1 A b.\n2 Where? \tb\t1\textra\n', /^bad\.txt:2: expected 'question<TAB>answer<TAB>supporting IDs', got 4 tab-separated fields$/],
];

for (const [what, text, message] of malformed) {
  test(`parseBabi: ${what} is an error naming the file and line`, (t) => {
    const error = t.throws(() => parseBabi(text, 'bad.txt'), { instanceOf: BabiFormatError, message });
    t.is(error?.file, 'bad.txt');
  });
}

test('Vocabulary: NIL is id 0, words sorted from 1, answers included, unknown words map to NIL', (t) => {
  const vocab = Vocabulary.fromStories(parseBabi(STORIES));
  t.is(vocab.word(0), NIL);
  t.deepEqual(vocab.words.slice(1), ['back', 'bathroom', 'daniel', 'hallway', 'in', 'is', 'john', 'mary', 'moved', 'office', 'sandra', 'the', 'to', 'travelled', 'went', 'where', 'yes']);
  t.is(vocab.size, 18);
  t.is(vocab.id('zebra'), 0);
  t.deepEqual([...vocab.encode(['where', 'is', 'zebra'], 5)], [vocab.id('where'), vocab.id('is'), 0, 0, 0]);
  t.throws(() => vocab.word(18), { message: /id 18 is out of range \[0, 18\)/ });
});

test('babiBatch: the newest sentence in slot 0, the M most recent only, the question in the last row', (t) => {
  const stories = parseBabi(STORIES);
  const vocab = Vocabulary.fromStories(stories);
  const items = babiItems(stories);
  t.is(items.length, 3);
  const L = sentenceLength(stories);
  t.is(L, 6);
  const { x, y } = babiBatch(items, vocab, 2, L);
  t.deepEqual([...x.shape], [3, 3, 6]);
  const row = (n: number, slot: number): string[] => [...x.data.subarray((n * 3 + slot) * L, (n * 3 + slot + 1) * L)].map((id) => vocab.word(id));
  t.deepEqual(row(1, 0), ['daniel', 'went', 'back', 'to', 'the', 'hallway']);
  t.deepEqual(row(1, 1), ['john', 'went', 'to', 'the', 'hallway', NIL], 'the oldest sentence fell out of a 2-slot memory');
  t.deepEqual(row(1, 2), ['where', 'is', 'daniel', NIL, NIL, NIL]);
  t.deepEqual(row(2, 1), new Array(6).fill(NIL), 'an empty slot');
  t.deepEqual([...y.data].map((id) => vocab.word(id)), ['bathroom', 'hallway', 'yes']);
});

const TABLE: [string, number, number, number, number, number][] = [
  // file, stories, questions, statements, max lines/story, vocabulary (words of statements and questions)
  ['qa1_single-supporting-fact_train.txt', 200, 1000, 2000, 15, 19],
  ['qa1_single-supporting-fact_test.txt', 200, 1000, 2000, 15, 19],
  ['qa2_two-supporting-facts_train.txt', 200, 1000, 4338, 61, 33],
  ['qa2_two-supporting-facts_test.txt', 200, 1000, 4398, 93, 33],
  ['qa3_three-supporting-facts_train.txt', 200, 1000, 14796, 229, 34],
  ['qa3_three-supporting-facts_test.txt', 200, 1000, 14710, 233, 34],
  ['qa6_yes-no-questions_train.txt', 200, 1000, 2066, 31, 33],
  ['qa6_yes-no-questions_test.txt', 200, 1000, 2050, 19, 33],
];

dataTest(test, 'readBabi: the real bAbI files match the counts of SOURCE.md', ['babi', 'en'], (t, babiDir) => {
  for (const [file, stories, questions, statements, maxLines, vocabulary] of TABLE) {
    const parsed = readBabi(`${babiDir}/${file}`);
    t.is(parsed.length, stories, file);
    t.is(parsed.reduce((s, x) => s + x.questions.length, 0), questions, file);
    t.is(parsed.reduce((s, x) => s + x.sentences.length, 0), statements, file);
    t.is(Math.max(...parsed.map((x) => x.sentences.length + x.questions.length)), maxLines, file);
    const words = new Set(parsed.flatMap((x) => [...x.sentences.flat(), ...x.questions.flatMap((q) => q.question)]));
    t.is(words.size, vocabulary, file);
    const answers = new Set(parsed.flatMap((x) => x.questions.map((q) => q.answer)));
    t.is(answers.size, file.startsWith('qa6') ? 2 : 6, file);
  }
});
