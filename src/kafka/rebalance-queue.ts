/**
 * Rebalance events wait here for the consume loop, which runs them between consume calls: no
 * record fetched under an older assignment or position can then reach a lane. Once the loop has
 * ended (stop() leaving the group), events run as they come.
 */
export class RebalanceQueue {
  private readonly pending: (() => Promise<void>)[] = [];
  private afterLoop: Promise<void> = Promise.resolve();

  constructor(private readonly loopRunning: () => boolean) {}

  push(event: () => Promise<void>): void {
    if (this.loopRunning()) this.pending.push(event);
    else this.afterLoop = this.afterLoop.then(event);
  }

  get waiting(): boolean {
    return this.pending.length > 0;
  }

  /** The loop's turn: runs the events that came since, in order. */
  async runPending(): Promise<void> {
    for (let event = this.pending.shift(); event; event = this.pending.shift()) await event();
  }

  /** Called once the loop has ended: events still waiting run now, in order, before later ones. */
  release(): void {
    for (const event of this.pending.splice(0)) this.afterLoop = this.afterLoop.then(event);
  }

  /** Resolves once every event handed over after the loop has run. */
  settled(): Promise<void> {
    return this.afterLoop;
  }
}
