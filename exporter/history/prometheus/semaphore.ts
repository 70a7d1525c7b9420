/** At most `limit` holders at once; the others wait in order, and stop waiting when their signal aborts. */
export class Semaphore {
  private held = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.held >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const go = () => {
          signal?.removeEventListener('abort', abort);
          resolve();
        };
        const abort = () => {
          const i = this.waiting.indexOf(go);
          if (i >= 0) {
            this.waiting.splice(i, 1);
          }
          reject(signal!.reason);
        };
        this.waiting.push(go);
        signal?.addEventListener('abort', abort, { once: true });
      });
    } else {
      this.held++;
    }
    let released = false;
    return () => {
      if (released) {
        return;
      }
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, or frees up.
      if (next) {
        next();
      } else {
        this.held--;
      }
    };
  }

  /** Runs `task` holding a slot. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await task();
    } finally {
      release();
    }
  }
}
