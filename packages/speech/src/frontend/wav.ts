/** A decoded WAV file: mono samples in [-1, 1] (channels averaged). */
export interface DecodedWav {
  sampleRate: number;
  /** Channel count in the file (the samples are mixed to mono). */
  channels: number;
  samples: Float32Array;
}

const fourcc = (b: Uint8Array, o: number): string => String.fromCharCode(b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!);

/**
 * Decodes a RIFF/WAVE file: PCM (format 1) 8-bit unsigned, 16/24/32-bit signed, IEEE float
 * (format 3) 32-bit, and WAVE_FORMAT_EXTENSIBLE (0xFFFE) with those subformats. Unknown chunks
 * are skipped; channels are averaged to mono. Integers are scaled by 2^(bits−1) (8-bit: (v−128)/128).
 * Throws a clear error on a bad header, a compressed format or a truncated file.
 *
 * @example
 * const { sampleRate, samples } = decodeWav(readFileSync('x.wav'));
 */
export function decodeWav(bytes: Uint8Array): DecodedWav {
  if (bytes.length < 12) throw new Error(`decodeWav: file too short (${bytes.length} bytes) for a RIFF header`);
  if (fourcc(bytes, 0) !== 'RIFF') throw new Error(`decodeWav: expected 'RIFF' at byte 0, got '${fourcc(bytes, 0)}'`);
  if (fourcc(bytes, 8) !== 'WAVE') throw new Error(`decodeWav: expected 'WAVE' at byte 8, got '${fourcc(bytes, 8)}'`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: { format: number; channels: number; sampleRate: number; bits: number; blockAlign: number } | null = null;
  let data: Uint8Array | null = null;
  let off = 12;
  while (off + 8 <= bytes.length) {
    const id = fourcc(bytes, off);
    const size = view.getUint32(off + 4, true);
    const body = off + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + size > bytes.length) throw new Error(`decodeWav: truncated 'fmt ' chunk (size ${size}, ${bytes.length - body} bytes left)`);
      let format = view.getUint16(body, true);
      if (format === 0xfffe) {
        if (size < 40) throw new Error(`decodeWav: WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk needs 40 bytes, got ${size}`);
        format = view.getUint16(body + 24, true); // first two bytes of the SubFormat GUID
      }
      fmt = { format, channels: view.getUint16(body + 2, true), sampleRate: view.getUint32(body + 4, true), blockAlign: view.getUint16(body + 12, true), bits: view.getUint16(body + 14, true) };
    } else if (id === 'data') {
      if (body + size > bytes.length) throw new Error(`decodeWav: truncated file: 'data' chunk declares ${size} bytes, only ${bytes.length - body} present`);
      data = bytes.subarray(body, body + size);
      break;
    }
    off = body + size + (size & 1);
  }
  if (fmt === null) throw new Error("decodeWav: no 'fmt ' chunk before the data (truncated or not a WAV file)");
  if (data === null) throw new Error("decodeWav: no 'data' chunk (truncated file?)");
  const { format, channels, sampleRate, bits } = fmt;
  if (format !== 1 && format !== 3) throw new Error(`decodeWav: unsupported (compressed?) format tag ${format}; expected 1 (PCM) or 3 (IEEE float)`);
  if (format === 1 && ![8, 16, 24, 32].includes(bits)) throw new Error(`decodeWav: PCM bits per sample must be 8, 16, 24 or 32, got ${bits}`);
  if (format === 3 && bits !== 32) throw new Error(`decodeWav: float bits per sample must be 32, got ${bits}`);
  if (channels < 1) throw new Error(`decodeWav: channel count must be >= 1, got ${channels}`);
  if (sampleRate < 1) throw new Error(`decodeWav: sample rate must be >= 1, got ${sampleRate}`);
  const bps = bits / 8;
  const frameBytes = bps * channels;
  const n = Math.floor(data.length / frameBytes);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const read = (o: number): number => {
    if (format === 3) return dv.getFloat32(o, true);
    switch (bits) {
      case 8: return (dv.getUint8(o) - 128) / 128;
      case 16: return dv.getInt16(o, true) / 32768;
      case 24: return (((dv.getUint8(o + 2) << 24) | (dv.getUint8(o + 1) << 16) | (dv.getUint8(o) << 8)) >> 8) / 8388608;
      default: return dv.getInt32(o, true) / 2147483648;
    }
  };
  const samples = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += read(i * frameBytes + c * bps);
    samples[i] = s / channels;
  }
  return { sampleRate, channels, samples };
}
