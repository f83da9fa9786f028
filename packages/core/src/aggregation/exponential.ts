/**
 * Base-2 exponential histogram buckets, as OpenTelemetry defines them: at scale s the base is
 * 2^(2^-s), and bucket i holds the values in (base^i, base^(i+1)]. The scale starts at 20 and
 * drops by one (halving the resolution, merging neighbour buckets) whenever the recorded values
 * would need more than `maxSize` buckets, as the OpenTelemetry SDKs do.
 */
export const MAX_SCALE = 20;
export const MIN_SCALE = -10;
export const MAX_SIZE = 160;

/** value = fraction * 2^exponent with fraction in [0.5, 1): the exponent, and whether value is a power of two. */
function frexp(value: number): { exponent: number; powerOfTwo: boolean } {
  let exponent = Math.floor(Math.log2(value));
  // Math.log2 may round across an integer near powers of two: put the exponent right.
  if (2 ** exponent > value) exponent--;
  else if (2 ** (exponent + 1) <= value) exponent++;
  return { exponent: exponent + 1, powerOfTwo: 2 ** exponent === value };
}

/** The bucket index of a positive finite value at a scale. */
export function bucketIndex(value: number, scale: number): number {
  const { exponent, powerOfTwo } = frexp(value);
  if (scale <= 0) {
    // Exact powers of two are the upper bound of the bucket below.
    return Math.floor((exponent - 1 - (powerOfTwo ? 1 : 0)) / 2 ** -scale);
  }
  if (powerOfTwo) return (exponent - 1) * 2 ** scale - 1;
  return Math.ceil(Math.log2(value) * 2 ** scale) - 1;
}

/** The positive buckets of one series: a dense window of counts starting at index `offset`. */
export class ExponentialBuckets {
  scale: number = MAX_SCALE;
  offset = 0;
  counts: number[] = [];
  zeroCount = 0;
  readonly #maxSize: number;

  constructor(maxSize: number = MAX_SIZE) {
    this.#maxSize = maxSize;
  }

  /** Counts a finite value >= 0 (zero goes to the zero bucket). */
  record(value: number): void {
    if (value === 0) {
      this.zeroCount++;
      return;
    }
    let index = bucketIndex(value, this.scale);
    if (this.counts.length === 0) {
      this.offset = index;
      this.counts.push(1);
      return;
    }
    const low = Math.min(this.offset, index);
    const high = Math.max(this.offset + this.counts.length - 1, index);
    let shift = 0;
    // Whole buckets: floor division keeps (base^i, base^(i+1)] inside the merged bucket.
    while (
      Math.floor(high / 2 ** shift) - Math.floor(low / 2 ** shift) + 1 > this.#maxSize &&
      this.scale - shift > MIN_SCALE
    )
      shift++;
    if (shift > 0) {
      this.#downscale(shift);
      index = bucketIndex(value, this.scale);
    }
    if (index < this.offset) {
      this.counts.unshift(...Array.from({ length: this.offset - index }, () => 0));
      this.offset = index;
    }
    const at = index - this.offset;
    while (this.counts.length <= at) this.counts.push(0);
    this.counts[at]!++;
  }

  #downscale(shift: number): void {
    const factor = 2 ** shift;
    const offset = Math.floor(this.offset / factor);
    const merged: number[] = [];
    for (let i = 0; i < this.counts.length; i++) {
      const at = Math.floor((this.offset + i) / factor) - offset;
      merged[at] = (merged[at] ?? 0) + this.counts[i]!;
    }
    this.offset = offset;
    this.counts = Array.from(merged, (count) => count ?? 0);
    this.scale -= shift;
  }
}
