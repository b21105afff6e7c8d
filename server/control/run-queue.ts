// The control API's run queue: at most `concurrency` runs execute at once and up to `queue` more wait
// their turn (announced at once, with their run id); past that a new run is refused (429, routes/runs.ts).

export class RunQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly concurrency: number, private readonly queue: number) {}

  /** Whether another run may be accepted now (a free slot or room in the queue). */
  hasRoom(): boolean {
    return this.running < this.concurrency || this.waiting.length < this.queue;
  }

  /** Resolves when a slot is free; call the returned function when the run is over. */
  async turn(): Promise<() => void> {
    if (this.running < this.concurrency) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the slot is handed over
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    };
  }
}
