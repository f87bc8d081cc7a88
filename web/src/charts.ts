import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Figures, HistoryPoint } from './api';

const maxPoints = 120;
const palette = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
const systemColour = '#111827';

interface Metric {
  title: string;
  value: (figures: Figures) => number | null;
  axis: (value: number) => string;
}

const metrics: Metric[] = [
  { title: 'Success rate', value: (f) => (f.volume > 0 ? f.successRate * 100 : null), axis: (v) => `${v.toFixed(0)}%` },
  {
    title: 'p95 latency',
    value: (f) => (f.volume > 0 ? f.latencyP95Ms : null),
    axis: (v) => (v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(0)} ms`),
  },
];

/** Success rate and latency per issuer over the last cycles, one uPlot chart each. */
export class HealthCharts {
  private points: HistoryPoint[] = [];
  private issuers: string[] = [];
  private plots: uPlot[] = [];

  constructor(private readonly containers: HTMLElement[]) {
    new ResizeObserver(() => this.plots.forEach((plot, i) => plot.setSize(this.size(this.containers[i]!)))).observe(containers[0]!);
  }

  setHistory(points: HistoryPoint[]): void {
    this.points = points.slice(-maxPoints);
    this.redraw();
  }

  /** A cycle's figures; a repeated cycle (a resync after reconnecting) replaces its point. */
  add(point: HistoryPoint): void {
    this.points = [...this.points.filter((p) => p.cycleNumber !== point.cycleNumber), point].sort((a, b) => a.cycleNumber - b.cycleNumber).slice(-maxPoints);
    this.redraw();
  }

  private size(container: HTMLElement) {
    return { width: Math.max(container.clientWidth, 300), height: 220 };
  }

  private redraw(): void {
    const issuers = [...new Set(this.points.flatMap((p) => p.issuers.map((i) => i.name)))].sort();
    // New series need new charts; otherwise only the data changes, which uPlot redraws cheaply.
    if (issuers.join() !== this.issuers.join() || this.plots.length === 0) this.build(issuers);
    else this.plots.forEach((plot, i) => plot.setData(this.data(metrics[i]!)));
  }

  private data(metric: Metric): uPlot.AlignedData {
    const x = this.points.map((p) => Date.parse(p.windowEnd) / 1000);
    const system = this.points.map((p) => metric.value(p.system));
    const perIssuer = this.issuers.map((name) =>
      this.points.map((p) => {
        const figures = p.issuers.find((i) => i.name === name);
        return figures ? metric.value(figures) : null;
      }),
    );
    return [x, system, ...perIssuer];
  }

  private build(issuers: string[]): void {
    this.issuers = issuers;
    this.plots.forEach((plot) => plot.destroy());
    this.plots = metrics.map((metric, i) => {
      const container = this.containers[i]!;
      container.replaceChildren();
      const options: uPlot.Options = {
        title: metric.title,
        ...this.size(container),
        // Values under the cursor only make sense while hovering; at rest the legend just names the lines.
        legend: { live: false },
        series: [
          {},
          { label: 'all traffic', stroke: systemColour, width: 2 },
          ...issuers.map((name, k) => ({ label: name, stroke: palette[k % palette.length], width: 1.5 })),
        ],
        axes: [{}, { values: (_u: uPlot, ticks: number[]) => ticks.map(metric.axis), size: 64 }],
      };
      return new uPlot(options, this.data(metric), container);
    });
  }
}
