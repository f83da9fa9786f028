/** Seconds of audio from byte counts, for the formats whose byte rate is known. */

/** Bytes per second of an ElevenLabs `output_format` (`mp3_44100_128`, `pcm_16000`, `ulaw_8000`, `opus_48000_64`). */
export function elevenLabsBytesPerSecond(format: string): number | undefined {
  const [codec, rate, kbps] = format.split('_');
  if (codec === 'pcm') return positive(Number(rate) * 2);
  if (codec === 'ulaw' || codec === 'alaw') return positive(Number(rate));
  if (codec === 'mp3' || codec === 'opus') return positive((Number(kbps) * 1000) / 8);
  return undefined;
}

/** Bytes per second of a Cartesia `output_format`, and the header bytes to skip (WAV). */
export function cartesiaBytesPerSecond(format: unknown): { rate: number; header: number } | undefined {
  if (typeof format !== 'object' || format === null) return undefined;
  const { container, encoding, sample_rate: sampleRate, bit_rate: bitRate } = format as Record<string, unknown>;
  if (container === 'mp3') return typeof bitRate === 'number' ? sized(bitRate / 8, 0) : undefined;
  if (typeof sampleRate !== 'number') return undefined;
  const width =
    encoding === 'pcm_f32le'
      ? 4
      : encoding === 'pcm_s16le'
        ? 2
        : encoding === 'pcm_mulaw' || encoding === 'pcm_alaw'
          ? 1
          : 0;
  return width === 0 ? undefined : sized(sampleRate * width, container === 'wav' ? 44 : 0);
}

/** Bytes per second of an OpenAI speech `response_format`: only pcm and wav (24 kHz, 16-bit mono) are exact. */
export function openAISpeechBytesPerSecond(format: unknown): { rate: number; header: number } | undefined {
  if (format === 'pcm') return { rate: 48_000, header: 0 };
  if (format === 'wav') return { rate: 48_000, header: 44 };
  return undefined;
}

/** Bytes per second of a Deepgram Aura request (`encoding`, `sample_rate`, `container`). */
export function deepgramSpeakBytesPerSecond(
  encoding: unknown,
  sampleRate: unknown,
  container: unknown,
): { rate: number; header: number } | undefined {
  if (encoding === 'linear16')
    return sized((typeof sampleRate === 'number' ? sampleRate : 24_000) * 2, container === 'none' ? 0 : 44);
  if (encoding === 'mulaw' || encoding === 'alaw')
    return sized(typeof sampleRate === 'number' ? sampleRate : 8000, container === 'wav' ? 44 : 0);
  return undefined;
}

/** Seconds in a WAV upload, from its header; undefined for anything else. */
export function wavSeconds(bytes: Uint8Array): number | undefined {
  if (bytes.byteLength < 44) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, false) !== 0x52494646 || view.getUint32(8, false) !== 0x57415645) return undefined;
  // Walk the chunks for fmt (byte rate) and data (length).
  let offset = 12;
  let byteRate = 0;
  while (offset + 8 <= bytes.byteLength) {
    const id = view.getUint32(offset, false);
    const size = view.getUint32(offset + 4, true);
    if (id === 0x666d7420 && offset + 16 <= bytes.byteLength) byteRate = view.getUint32(offset + 16, true);
    if (id === 0x64617461) return byteRate > 0 ? size / byteRate : undefined;
    offset += 8 + size + (size % 2);
  }
  return undefined;
}

function positive(value: number): number | undefined {
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

function sized(rate: number, header: number): { rate: number; header: number } | undefined {
  return Number.isFinite(rate) && rate > 0 ? { rate, header } : undefined;
}

/** Decoded length of a base64 string, without decoding it. */
export function base64Bytes(data: unknown): number {
  if (typeof data !== 'string' || data.length === 0) return 0;
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.floor((data.length * 3) / 4) - padding;
}
