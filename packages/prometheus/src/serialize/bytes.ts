import { formatValue } from './escape.ts';

const NEWLINE = 10;
const ZERO = 48;

/**
 * An append-only byte buffer for the exposition. Pieces that repeat (label sets, `le` parts,
 * metric names) are encoded once and copied in; integers are written digit by digit. A scrape
 * then builds no intermediate strings and leaves one Buffer, ready for the socket or gzip.
 */
export class ByteWriter {
  buffer: Buffer;
  length = 0;

  /** `reuse`: a buffer from an earlier body nobody reads any more, written over from the start. */
  constructor(capacity: number, reuse?: Buffer) {
    this.buffer = reuse ?? Buffer.allocUnsafe(Math.max(capacity, 1024));
  }

  #grow(needed: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + needed));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }

  bytes(piece: Uint8Array): void {
    if (this.length + piece.length > this.buffer.length) this.#grow(piece.length);
    this.buffer.set(piece, this.length);
    this.length += piece.length;
  }

  /** Any text, UTF-8 encoded (lone surrogates become U+FFFD). */
  text(text: string): void {
    const size = Buffer.byteLength(text, 'utf8');
    if (this.length + size > this.buffer.length) this.#grow(size);
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  byte(code: number): void {
    if (this.length === this.buffer.length) this.#grow(1);
    this.buffer[this.length++] = code;
  }

  newline(): void {
    this.byte(NEWLINE);
  }

  /** A non-negative integer up to 2^53 (bucket counts, _count). */
  integer(value: number): void {
    if (value < 10) {
      this.byte(ZERO + value);
      return;
    }
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    if (this.length + digits > this.buffer.length) this.#grow(digits);
    let rest = value;
    for (let i = this.length + digits - 1; i >= this.length; i--) {
      this.buffer[i] = ZERO + (rest % 10);
      rest = Math.floor(rest / 10);
    }
    this.length += digits;
  }

  /** A sample value: integers directly, anything else through its Go-parsable text. */
  value(value: number): void {
    if (value >= 0 && value <= Number.MAX_SAFE_INTEGER && Number.isInteger(value)) this.integer(value);
    else this.text(formatValue(value));
  }

  /** The bytes written so far (a view, not a copy). */
  result(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}
