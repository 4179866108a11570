import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadUtterance, parseDigitFileName, readDigitFolder } from '@eole/speech';
import { dataPath, missing, tempDir } from '@eole/core/testing';

/** A minimal 16-bit PCM WAV writer (channels interleaved), independent of the decoder. */
function wav16(chans: ArrayLike<number>[], sr: number): Uint8Array {
  const C = chans.length, n = chans[0]!.length;
  const buf = new Uint8Array(44 + n * C * 2);
  const v = new DataView(buf.buffer);
  const str = (o: number, s: string): void => { for (let i = 0; i < 4; i++) buf[o + i] = s.charCodeAt(i); };
  str(0, 'RIFF'); v.setUint32(4, buf.length - 8, true); str(8, 'WAVE'); str(12, 'fmt ');
  v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, C, true); v.setUint32(24, sr, true);
  v.setUint32(28, sr * C * 2, true); v.setUint16(32, C * 2, true); v.setUint16(34, 16, true);
  str(36, 'data'); v.setUint32(40, n * C * 2, true);
  for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) v.setInt16(44 + (i * C + c) * 2, Math.round(chans[c]![i]! * 32767), true);
  return buf;
}

const sine = (n: number, sr: number, hz: number, amp: number): number[] => Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / sr));

test('parseDigitFileName reads {digit}_{speaker}_{index}.wav and rejects other names', (t) => {
  t.deepEqual(parseDigitFileName('7_jackson_32.wav'), { digit: 7, speaker: 'jackson', index: 32 });
  t.deepEqual(parseDigitFileName('0_yweweler_0.WAV'), { digit: 0, speaker: 'yweweler', index: 0 });
  t.deepEqual(parseDigitFileName('3_van_der_berg_12.wav'), { digit: 3, speaker: 'van_der_berg', index: 12 });
  for (const bad of ['notes.txt', '7_jackson_32.mp3', '12_jackson_3.wav', 'x_jackson_3.wav', '7_jackson.wav', '7__3.wav', '7_jackson_3a.wav', 'a/7_jackson_3.wav']) {
    t.is(parseDigitFileName(bad), null, bad);
  }
});

test('readDigitFolder lists matching WAVs sorted by speaker, digit, index; other files are ignored; clear errors', (t) => {
  const dir = tempDir('digits');
  const one = wav16([sine(80, 8000, 440, 0.1)], 8000);
  for (const name of ['3_bob_10.wav', '3_bob_2.wav', '1_bob_7.wav', '0_alice_1.wav', 'README.md', 'x.wav']) writeFileSync(join(dir, name), one);
  const list = readDigitFolder(dir);
  t.deepEqual(list.map((u) => u.file), ['0_alice_1.wav', '1_bob_7.wav', '3_bob_2.wav', '3_bob_10.wav']);
  t.deepEqual(list[2], { path: join(dir, '3_bob_2.wav'), file: '3_bob_2.wav', digit: 3, speaker: 'bob', index: 2 });
  const empty = tempDir('digits');
  writeFileSync(join(empty, 'notes.txt'), 'x');
  t.throws(() => readDigitFolder(empty), { message: /no WAV file named \{digit\}_\{speaker\}_\{index\}\.wav .* in '.*'/ });
  t.throws(() => readDigitFolder(join(empty, 'nowhere')), { message: /'.*nowhere' is not a folder/ });
  mkdirSync(join(empty, 'sub'));
  t.throws(() => readDigitFolder(join(empty, 'notes.txt')), { message: /is not a folder/ });
});

test('loadUtterance mixes stereo to mono and resamples a 16 kHz file to 8 kHz (the tone stays, the part above 4 kHz goes)', (t) => {
  const dir = tempDir('digits');
  const n = 4000;
  const left = sine(n, 16000, 500, 0.4).map((v, i) => v + 0.2 * Math.sin((2 * Math.PI * 6000 * i) / 16000));
  const right = sine(n, 16000, 500, 0.4).map((v, i) => v - 0.2 * Math.sin((2 * Math.PI * 6000 * i) / 16000));
  const path = join(dir, '5_stereo_0.wav');
  writeFileSync(path, wav16([left, right], 16000));
  const x = loadUtterance(path);
  t.is(x.length, 2000);
  let err = 0;
  for (let i = 500; i < 1500; i++) err = Math.max(err, Math.abs(x[i]! - 0.4 * Math.sin((2 * Math.PI * 500 * i) / 8000)));
  t.true(err < 0.01, `max error ${err}`);
  const same = loadUtterance(path, 16000);
  t.is(same.length, n);
  t.throws(() => loadUtterance(join(dir, 'missing_x_1.wav')), { message: /loadUtterance: '.*missing_x_1\.wav'/ });
  writeFileSync(join(dir, 'bad.wav'), 'not a wav file at all');
  t.throws(() => loadUtterance(join(dir, 'bad.wav')), { message: /loadUtterance: '.*bad\.wav': decodeWav: expected 'RIFF'/ });
  t.throws(() => loadUtterance(path, 0), { message: /sampleRate must be a positive number/ });
});

test('real data: the FSDD folder holds 2,000 utterances of 4 speakers, 50 of each digit per speaker', (t) => {
  const dir = dataPath('fsdd', 'recordings');
  if (dir === null) { t.log(missing('fsdd/recordings')); t.pass(); return; }
  const all = readDigitFolder(dir);
  t.is(all.length, 2000);
  t.deepEqual([...new Set(all.map((u) => u.speaker))], ['jackson', 'nicolas', 'theo', 'yweweler']);
  t.is(all.filter((u) => u.digit === 7 && u.speaker === 'theo').length, 50);
  const x = loadUtterance(all[0]!.path);
  t.true(x.length > 1000 && x.length < 8000 * 2.5);
});
