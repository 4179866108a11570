/**
 * Encodes mono samples as a 16-bit PCM RIFF/WAVE file (the canonical 44-byte header: `RIFF`,
 * `WAVE`, a 16-byte `fmt ` chunk with format tag 1, then `data`). Samples are clipped to [-1, 1]
 * and quantised as round(x·32767), so `decodeWav(encodeWav(x, sr)).samples` equals x within
 * 1/32767 (values are read back as q/32768).
 *
 * @example
 * writeFileSync('out.wav', encodeWav(samples, 8000));
 * decodeWav(readFileSync('out.wav')).samples; // ≈ samples
 */
export function encodeWav(samples: ArrayLike<number>, sampleRate: number): Uint8Array {
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > 0xffffffff / 2) {
    throw new RangeError(`encodeWav: sampleRate must be a positive integer, got ${sampleRate}`);
  }
  const n = samples.length;
  const dataLen = 2 * n;
  if (36 + dataLen > 0xffffffff) throw new RangeError(`encodeWav: ${n} samples do not fit in a RIFF file (4 GiB)`);
  const bytes = new Uint8Array(44 + dataLen);
  const view = new DataView(bytes.buffer);
  const tag = (offset: number, s: string): void => {
    for (let i = 0; i < 4; i++) bytes[offset + i] = s.charCodeAt(i);
  };
  tag(0, 'RIFF');
  view.setUint32(4, 36 + dataLen, true);
  tag(8, 'WAVE');
  tag(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true); // byte rate
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  tag(36, 'data');
  view.setUint32(40, dataLen, true);
  for (let i = 0; i < n; i++) {
    const x = samples[i]!;
    if (Number.isNaN(x)) throw new RangeError(`encodeWav: sample ${i} is NaN`);
    view.setInt16(44 + 2 * i, Math.round(Math.max(-1, Math.min(1, x)) * 32767), true);
  }
  return bytes;
}
