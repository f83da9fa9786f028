/** Fake audio for the simulators: byte rates of the formats they serve, and WAV files. */

/** Bytes per second of an ElevenLabs-style format name (`mp3_44100_128`, `pcm_16000`, `ulaw_8000`). */
export function bytesPerSecondOf(format: string): number {
  const [codec = '', rate = '', kbps] = format.split('_');
  if (codec === 'pcm') return Number(rate) * 2 || 32_000;
  if (codec === 'ulaw' || codec === 'alaw') return Number(rate) || 8000;
  return ((Number(kbps) || 128) * 1000) / 8;
}

/** A mono 16-bit PCM WAV file of `seconds` of silence-ish samples. */
export function wavFile(seconds: number, sampleRate = 16_000): Buffer {
  const dataBytes = Math.round(seconds * sampleRate) * 2;
  const file = Buffer.alloc(44 + dataBytes);
  file.write('RIFF', 0, 'ascii');
  file.writeUInt32LE(36 + dataBytes, 4);
  file.write('WAVE', 8, 'ascii');
  file.write('fmt ', 12, 'ascii');
  file.writeUInt32LE(16, 16);
  file.writeUInt16LE(1, 20);
  file.writeUInt16LE(1, 22);
  file.writeUInt32LE(sampleRate, 24);
  file.writeUInt32LE(sampleRate * 2, 28);
  file.writeUInt16LE(2, 32);
  file.writeUInt16LE(16, 34);
  file.write('data', 36, 'ascii');
  file.writeUInt32LE(dataBytes, 40);
  return file;
}

/** Seconds of audio in a WAV file (from its header), else bytes at 16 kHz 16-bit mono. */
export function secondsOfAudio(file: Buffer): number {
  if (file.length >= 44 && file.toString('ascii', 0, 4) === 'RIFF' && file.toString('ascii', 8, 12) === 'WAVE') {
    const byteRate = file.readUInt32LE(28);
    const dataBytes = file.readUInt32LE(40);
    if (byteRate > 0) return dataBytes / byteRate;
  }
  return file.length / 32_000;
}
