/**
 * A live time-series chart on uPlot, coloured from the theme: series take `--vscode-charts-*`,
 * axes `--vscode-charts-foreground` and grid `--vscode-charts-lines`. A canvas cannot read CSS
 * variables, so the colours are resolved from the computed style and the chart is rebuilt when the
 * theme changes (VS Code swaps the body's classes and variables). Series also differ by dash pattern,
 * so colour is never the only cue; the numbers are always shown as text beside the chart.
 */
import uPlot from 'uplot';
import type { Columns } from './state';

export interface SeriesDef {
  label: string;
  /** A VS Code chart colour variable, e.g. `--vscode-charts-blue`. */
  color: string;
  dash?: number[];
  /** `y` (left axis) or `y2` (right axis). */
  scale?: 'y' | 'y2';
}

export interface ChartDef {
  series: SeriesDef[];
  /** Fixed range of the left axis, e.g. [0, 100] for percentages; otherwise it fits the data. */
  yRange?: [number, number];
  yLabel: string;
  y2Label?: string;
  formatY?: (v: number) => string;
  /** Time of day for the x axis (epoch ms → text). */
  formatTime: (epochMs: number) => string;
  height?: number;
}

export class TimeChart {
  #plot: uPlot | undefined;
  #data: Columns;
  readonly #resize: ResizeObserver;

  constructor(
    private readonly host: HTMLElement,
    private readonly def: ChartDef,
  ) {
    this.#data = [[], ...def.series.map(() => [])];
    this.#resize = new ResizeObserver(() => this.#fit());
    this.#resize.observe(host);
    this.#build();
  }

  update(data: Columns): void {
    this.#data = data;
    this.#plot?.setData(data as uPlot.AlignedData);
  }

  /** The theme changed: colours are read again. */
  retheme(): void {
    this.#build();
  }

  dispose(): void {
    this.#resize.disconnect();
    this.#plot?.destroy();
    this.#plot = undefined;
  }

  #build(): void {
    this.#plot?.destroy();
    const css = getComputedStyle(document.body);
    // The first of these variables the theme defines (not every theme defines every chart colour).
    const color = (...names: string[]) => names.map((n) => css.getPropertyValue(n).trim()).find(Boolean) ?? 'gray';
    const fg = color('--vscode-charts-foreground', '--vscode-foreground');
    const grid = color('--vscode-charts-lines', '--vscode-panel-border');
    const font = `${css.getPropertyValue('--vscode-font-size').trim() || '12px'} ${css.getPropertyValue('--vscode-font-family').trim() || 'sans-serif'}`;
    const axis = (scale: string, label: string, side: 1 | 3 = 3): uPlot.Axis => ({
      scale,
      side,
      stroke: fg,
      font,
      label,
      labelFont: font,
      labelSize: 18,
      grid: { show: side === 3, stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      ...(this.def.formatY && scale === 'y' ? { values: (_u: uPlot, splits: number[]) => splits.map((v) => this.def.formatY!(v)) } : {}),
    });
    const hasY2 = this.def.series.some((s) => s.scale === 'y2');
    const opts: uPlot.Options = {
      width: this.#width(),
      height: this.def.height ?? 170,
      legend: { show: false },
      // Without a right-hand axis, room for half of the last time label, which is centred on the plot's edge.
      ...(hasY2 ? {} : { padding: [null, 40, null, null] as uPlot.Padding }),
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: {
        x: { time: true },
        y: this.def.yRange ? { range: this.def.yRange } : { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
        ...(hasY2 ? { y2: { range: (_u: uPlot, _min: number, max: number) => [0, Math.max(0.1, max * 1.1)] as uPlot.Range.MinMax } } : {}),
      },
      axes: [
        {
          stroke: fg,
          font,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid, width: 1 },
          // Whole seconds at least, one label per tick (no uPlot date line under it), with a gap
          // between labels as wide as "05:08:14 AM" is.
          space: 110,
          incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400],
          values: (_u, splits) => splits.map((s) => this.def.formatTime(s * 1000)),
        },
        axis('y', this.def.yLabel),
        ...(hasY2 ? [axis('y2', this.def.y2Label ?? '', 1)] : []),
      ],
      series: [
        {},
        ...this.def.series.map((s) => ({
          label: s.label,
          scale: s.scale ?? 'y',
          stroke: color(s.color, '--vscode-charts-yellow', '--vscode-foreground'),
          width: 2,
          ...(s.dash ? { dash: s.dash } : {}),
          points: { show: false },
        })),
      ],
    };
    this.#plot = new uPlot(opts, this.#data as uPlot.AlignedData, this.host);
  }

  #width(): number {
    return Math.max(200, Math.floor(this.host.clientWidth));
  }

  #fit(): void {
    if (this.#plot && Math.abs(this.#plot.width - this.#width()) > 1) this.#plot.setSize({ width: this.#width(), height: this.def.height ?? 170 });
  }
}
