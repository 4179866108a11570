/** A decoded WAV file: mono samples in [-1, 1] (channels averaged). */
export interface DecodedWav {
  sampleRate: number;
  /** Channel count in the file (the samples are mixed to mono). */
  channels: number;
  samples: Float32Array;
}

/**
 * The header values {@link decodeWav} accepts. Rates span 1 kHz (below any audio use; the 1 or 2 Hz
 * of a corrupt header would make a resampler write hundreds of millions of samples) to 768 kHz (the
 * highest rate of common audio interfaces); at most 256 interleaved channels.
 *
 * @example
 * WAV_LIMITS.minSampleRate; // 1000
 */
export const WAV_LIMITS = { minSampleRate: 1000, maxSampleRate: 768_000, maxChannels: 256 } as const;

const fourcc = (b: Uint8Array, o: number): string => String.fromCharCode(b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!);

/** Printable form of a chunk id for an error message (control bytes as \xNN). */
const shown = (id: string): string => id.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

interface Format {
  format: number;
  channels: number;
  sampleRate: number;
  bits: number;
  blockAlign: number;
}

/**
 * Decodes a RIFF/WAVE file: PCM (format 1) 8-bit unsigned, 16/24/32-bit signed, IEEE float
 * (format 3) 32-bit, and WAVE_FORMAT_EXTENSIBLE (0xFFFE) with those subformats. Unknown chunks
 * are skipped; channels are averaged to mono. Integers are scaled by 2^(bits−1) (8-bit: (v−128)/128).
 *
 * Throws an error naming the offending field on a bad header, a compressed format or a truncated
 * file: a chunk (or the `data` chunk) whose size runs past the end of the file, a missing `fmt ` or
 * `data` chunk, a sample rate outside [{@link WAV_LIMITS}.minSampleRate, maxSampleRate] Hz, 0 or more
 * than 256 channels, a block align other than channels × bits/8, or a float sample that is NaN or
 * infinite. The RIFF size and the byte rate are not used, so they are not checked; bytes after the
 * `data` chunk and a trailing partial frame are ignored.
 *
 * @example
 * const { sampleRate, samples } = decodeWav(readFileSync('x.wav'));
 */
export function decodeWav(bytes: Uint8Array): DecodedWav {
  if (bytes.length < 12) throw new Error(`decodeWav: file too short (${bytes.length} bytes) for a RIFF header`);
  if (fourcc(bytes, 0) !== 'RIFF') throw new Error(`decodeWav: expected 'RIFF' at byte 0, got '${shown(fourcc(bytes, 0))}'`);
  if (fourcc(bytes, 8) !== 'WAVE') throw new Error(`decodeWav: expected 'WAVE' at byte 8, got '${shown(fourcc(bytes, 8))}'`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: Format | null = null;
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
    } else if (body + size > bytes.length) {
      throw new Error(`decodeWav: truncated file: chunk '${shown(id)}' at byte ${off} declares ${size} bytes, only ${bytes.length - body} present (no 'data' chunk before it)`);
    }
    off = body + size + (size & 1);
  }
  if (fmt === null) throw new Error("decodeWav: no 'fmt ' chunk before the data (truncated or not a WAV file)");
  if (data === null) throw new Error("decodeWav: no 'data' chunk (truncated file?)");
  checkFormat(fmt);
  return { sampleRate: fmt.sampleRate, channels: fmt.channels, samples: decodeSamples(bytes, data, fmt) };
}

/** Validates the `fmt ` fields; each error names its field. */
function checkFormat({ format, channels, sampleRate, bits, blockAlign }: Format): void {
  if (format !== 1 && format !== 3) throw new Error(`decodeWav: unsupported (compressed?) format tag ${format}; expected 1 (PCM) or 3 (IEEE float)`);
  if (format === 1 && ![8, 16, 24, 32].includes(bits)) throw new Error(`decodeWav: PCM bits per sample must be 8, 16, 24 or 32, got ${bits}`);
  if (format === 3 && bits !== 32) throw new Error(`decodeWav: float bits per sample must be 32, got ${bits}`);
  if (channels < 1 || channels > WAV_LIMITS.maxChannels) throw new Error(`decodeWav: channel count must be in [1, ${WAV_LIMITS.maxChannels}], got ${channels}`);
  const { minSampleRate: lo, maxSampleRate: hi } = WAV_LIMITS;
  if (sampleRate < lo || sampleRate > hi) throw new Error(`decodeWav: sample rate must be in [${lo}, ${hi}] Hz, got ${sampleRate}`);
  const frameBytes = (bits / 8) * channels;
  if (blockAlign !== frameBytes) throw new Error(`decodeWav: block align must be channels × bits/8 = ${channels} × ${bits / 8} = ${frameBytes} bytes, got ${blockAlign}`);
}

/** The samples of `data`, mixed to mono; a float sample that is NaN or infinite is an error. */
function decodeSamples(bytes: Uint8Array, data: Uint8Array, { format, channels, bits }: Format): Float32Array {
  const bps = bits / 8;
  const frameBytes = bps * channels;
  const n = Math.floor(data.length / frameBytes);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const read = (o: number): number => {
    if (format === 3) {
      const v = dv.getFloat32(o, true);
      if (!Number.isFinite(v)) {
        const i = Math.floor(o / frameBytes);
        throw new Error(`decodeWav: float sample ${i} of channel ${(o - i * frameBytes) / bps} (byte ${data.byteOffset - bytes.byteOffset + o}) is ${v}; samples must be finite`);
      }
      return v;
    }
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
  return samples;
}
