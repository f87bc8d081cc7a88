import type { DimensionHealth, SystemHealth } from './documents';
import { h, ms, percent } from './dom';

function row(kind: string, entry: DimensionHealth): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-testid': 'health-row', 'data-kind': kind, 'data-name': entry.name, 'data-status': entry.status, class: `status-${entry.status.toLowerCase()}` },
    h('td', {}, kind),
    h('td', { class: 'name' }, entry.name),
    h('td', {}, h('span', { class: 'badge' }, entry.status)),
    h('td', { class: 'num' }, percent(entry.successRate)),
    h('td', { class: 'num' }, ms(entry.latencyP95Ms)),
    h('td', { class: 'num' }, percent(entry.retryRate)),
    h('td', { class: 'num' }, entry.volume.toLocaleString()),
  );
}

const byName = (a: DimensionHealth, b: DimensionHealth) => a.name.localeCompare(b.name);

/** The latest window, issuers, methods, then gateways, then the whole system, each coloured by status. */
export function renderHealth(table: HTMLTableElement, health: SystemHealth): void {
  const head = h('thead', {}, h('tr', {}, ...['', 'name', 'status', 'success', 'p95 latency', 'retries', 'volume'].map((title) => h('th', {}, title))));
  const body = h(
    'tbody',
    {},
    ...[...health.issuers].sort(byName).map((entry) => row('issuer', entry)),
    ...[...health.methods].sort(byName).map((entry) => row('method', entry)),
    ...[...health.gateways].sort(byName).map((entry) => row('gateway', entry)),
    row('system', { ...health.system, name: 'all traffic' }),
  );
  table.replaceChildren(head, body);
}
