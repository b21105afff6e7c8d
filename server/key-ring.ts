// Keys in insertion order, in a fixed-size ring: the oldest comes out in O(1). A Map's own order
// (keys().next()) walks past every slot deleted since the Map's last rehash, which made evicting from a
// full 20,000-entry map cost ~27 µs (docs/BENCHMARKS.md, round 4). Used next to a Map that holds the values.
export class KeyRing<K> {
  private readonly slots: (K | undefined)[];
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<K | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Adds the newest key; the ring must not be full (shift() first). */
  push(key: K): void {
    if (this.count === this.capacity) throw new Error(`KeyRing: full (${this.capacity} keys)`);
    this.slots[(this.head + this.count++) % this.capacity] = key;
  }

  /** The oldest key, left in place. */
  oldest(): K | undefined {
    return this.count ? this.slots[this.head] : undefined;
  }

  /** Takes the oldest key out. */
  shift(): K | undefined {
    if (!this.count) return undefined;
    const key = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return key;
  }
}
