import { BabiFormatError } from './BabiFormatError.js';

/** One question of a bAbI story, with what the model may read when answering it. */
export interface BabiQuestion {
  /** The question's tokens (lower case, punctuation dropped). */
  question: string[];
  /** The answer as written in the file (one word, or a comma-separated list in tasks 8 and 19). */
  answer: string;
  /** The supporting facts, as indices into the story's `sentences`. */
  supporting: number[];
  /**
   * The sentences told before the question: indices into `sentences`, oldest first, i.e.
   * 0, 1, …, k − 1 for the k statements before it. Computed on access from k (a getter): the question
   * shares its story's `sentences` instead of holding its own copy, so a story of S statements and Q
   * questions holds O(S + Q) indices, not O(S·Q).
   */
  readonly memory: readonly number[];
  /** The question's line number in the file (1-based). */
  line: number;
}

/** One story: its statements in order and the questions asked along the way. */
export interface BabiStory {
  /** Every statement of the story, tokenised; questions are not statements. */
  sentences: string[][];
  questions: BabiQuestion[];
}

/**
 * The tokens of a bAbI sentence: lower-cased words, with the punctuation ('.', '?', ',') dropped.
 *
 * @example
 * tokenize('Where is Mary? '); // ['where', 'is', 'mary']
 */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[^\s.?!,;:]+/g) ?? [];
}

/**
 * Parses the bAbI question-answering format (Weston, Bordes, Chopra, Rush, van Merriënboer, Joulin &
 * Mikolov, "Towards AI-Complete Question Answering: A Set of Prerequisite Toy Tasks", 2015): each line
 * is `ID text`, IDs count up from 1 within a story and restart at 1 for the next one; a question line
 * is `ID question?<TAB>answer<TAB>supporting IDs` (exactly three tab-separated fields, the question
 * ending in `?`) and its supporting IDs name earlier statements of the same story. A statement holds
 * no tab. Throws a {@link BabiFormatError} naming the file, the line and the field of the first
 * malformed line (an ID that is not a positive integer, an ID that neither follows the previous one
 * nor restarts at 1, a question without its tab-separated answer, a tab in a line whose first field
 * does not end in `?`, a question line of other than three fields, a supporting ID that names no
 * earlier statement). Blank lines are skipped. Parsing takes time and memory linear in the text:
 * each question's `memory` is a view of its story's statements (see {@link BabiQuestion.memory}).
 *
 * @example
 * const [story] = parseBabi('1 Mary went to the office.\n2 Where is Mary? \toffice\t1\n');
 * story.questions[0]; // { question: ['where', 'is', 'mary'], answer: 'office', supporting: [0], memory: [0], line: 2 }
 */
export function parseBabi(text: string, file = '<string>'): BabiStory[] {
  const stories: BabiStory[] = [];
  let story: BabiStory | null = null;
  let previousId = 0;
  /** Line ID → index into story.sentences, for the statements of the current story. */
  let statementOf = new Map<number, number>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    if (raw.trim() === '') return;
    const fail = (why: string): never => {
      throw new BabiFormatError(file, lineNo, why);
    };
    const match = /^(\S+) (.*)$/.exec(raw);
    const idText = match ? match[1]! : raw.trim().split(/\s+/)[0]!;
    if (!/^[1-9]\d*$/.test(idText)) fail(`the line must start with a positive integer ID and a space, got '${truncate(raw)}'`);
    const id = Number(idText);
    const body = match ? match[2]! : '';
    if (id === 1) {
      story = { sentences: [], questions: [] };
      stories.push(story);
      statementOf = new Map();
    } else if (story === null) {
      fail(`the first story must start at ID 1, got ID ${id}`);
    } else if (id !== previousId + 1) {
      fail(`ID ${id} follows ID ${previousId}: IDs must count up by one within a story, or restart at 1 for a new story`);
    }
    previousId = id;
    const current = story!;
    if (!body.includes('\t')) {
      if (body.trim().endsWith('?')) fail(`question '${truncate(body.trim())}' has no answer: expected 'question<TAB>answer<TAB>supporting IDs'`);
      const tokens = tokenize(body);
      if (tokens.length === 0) fail(`statement ${id} is empty`);
      statementOf.set(id, current.sentences.length);
      current.sentences.push(tokens);
      return;
    }
    const fields = body.split('\t');
    const [questionText, answerText, supportText] = fields as [string, string, string];
    if (!questionText.trim().endsWith('?')) {
      fail(`a tab in statement ${id} ('${truncate(questionText.trim())}<TAB>…'): only a question line ('question?<TAB>answer<TAB>supporting IDs', the question ending in '?') holds tabs`);
    }
    if (fields.length !== 3) fail(`expected 'question<TAB>answer<TAB>supporting IDs', got ${fields.length} tab-separated fields`);
    const question = tokenize(questionText);
    if (question.length === 0) fail('the question is empty');
    const answer = answerText.trim().toLowerCase();
    if (answer === '') fail(`question '${truncate(questionText.trim())}' has an empty answer`);
    const supporting = supportText
      .trim()
      .split(/\s+/)
      .filter((s) => s !== '')
      .map((s) => {
        const ref = /^\d+$/.test(s) ? statementOf.get(Number(s)) : undefined;
        if (ref === undefined) fail(`supporting fact ID '${s}' does not name an earlier statement of this story`);
        return ref!;
      });
    const told = current.sentences.length;
    current.questions.push({
      question,
      answer,
      supporting,
      get memory(): number[] {
        return Array.from({ length: told }, (_, k) => k);
      },
      line: lineNo,
    });
  });
  return stories;
}

function truncate(s: string, n = 60): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
