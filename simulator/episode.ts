/**
 * Something that happens now and then and lasts a number of ticks (a peer outage, failing controllers): a value held
 * while it lasts, 0 otherwise.
 */
export class Episode {
  value = 0;
  private ticksLeft = 0;

  /**
   * One tick: a running episode counts down, its value going back to 0 on its last tick; otherwise one begins when
   * `starts()` says so, lasting and worth what `begin()` gives.
   */
  tick(starts: () => boolean, begin: () => { ticks: number; value: number }): void {
    if (this.ticksLeft > 0) {
      this.ticksLeft--;
      if (this.ticksLeft === 0) {
        this.value = 0;
      }
    } else if (starts()) {
      const { ticks, value } = begin();
      this.ticksLeft = ticks;
      this.value = value;
    }
  }

  /** Over at once (a new agent process carries no outage over). */
  end(): void {
    this.value = 0;
    this.ticksLeft = 0;
  }
}
