import type { Cycle } from './documents';
import { h, time } from './dom';

const maxCycles = 30;

/** Each cycle's decision and the core's reason, newest first. */
export class CycleList {
  private cycles: Cycle[] = [];

  constructor(private readonly list: HTMLElement) {}

  set(cycles: Cycle[]): void {
    this.cycles = cycles.slice(0, maxCycles);
    this.render();
  }

  add(cycle: Cycle): void {
    this.set([cycle, ...this.cycles.filter((c) => c.number !== cycle.number)].sort((a, b) => b.number - a.number));
  }

  private render(): void {
    this.list.replaceChildren(
      ...this.cycles.map((cycle) =>
        h(
          'li',
          { 'data-testid': 'cycle', 'data-decision': cycle.decision, class: `decision-${cycle.decision.toLowerCase()}` },
          h('span', { class: 'cycle-number' }, `#${cycle.number}`),
          h('span', { class: 'muted' }, time(cycle.windowEnd)),
          h('span', { class: 'badge' }, cycle.decision.replace('_', ' ')),
          h('span', { class: 'muted' }, `${cycle.transactions.toLocaleString()} tx`),
          h('div', { class: 'reason' }, cycle.reason),
        ),
      ),
    );
  }
}
