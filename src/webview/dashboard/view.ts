/**
 * The dashboard's DOM: built once, then updated in place from the ViewState. Every number is text
 * (charts repeat what the figures and tables say), every control is a real button with a name, and
 * nothing here parses markup.
 */
import * as l10n from '@vscode/l10n';
import { CHART_RANGES, type ActionId, type ChartRange, type Sample, type SourceSummary, type TierRun } from '../../protocol/dashboard';
import { TimeChart } from './chart';
import { h, setAttr, setText, uid } from './dom';
import type { Formatter } from './format';
import { countRows, fill, hitRatioColumns, latencyRows, measureButton, throughputColumns, visibleSamples, type ViewState } from './state';

export interface ViewHandlers {
  action(action: ActionId): void;
  measure(start: boolean): void;
  range(range: ChartRange): void;
}

interface Figure {
  root: HTMLElement;
  value: HTMLElement;
  caption: HTMLElement;
}

interface MeasureFigure extends Figure {
  unit: HTMLElement;
  bar: HTMLElement;
}

interface Meter {
  root: HTMLElement;
  bar: HTMLElement;
  text: HTMLElement;
}

/** The custom element's properties we set (vscode-progress-bar). */
type ProgressBar = HTMLElement & { value?: number; max: number; indeterminate: boolean };
type VscButton = HTMLElement & { disabled: boolean };

export class DashboardView {
  readonly #fmt: Formatter;
  readonly #handlers: ViewHandlers;
  readonly #el = {} as {
    engine: HTMLElement;
    actions: Map<ActionId, VscButton>;
    ranges: Array<[ChartRange, HTMLButtonElement]>;
    announce: HTMLElement;
    hit: Record<'overall' | 'memory' | 'disk' | 'network', Figure>;
    hitChart: HTMLElement;
    hitTable: HTMLTableSectionElement;
    tput: Record<'tps' | 'mbps' | 'served', Figure>;
    tputChart: HTMLElement;
    tputTable: HTMLTableSectionElement;
    latency: HTMLTableSectionElement;
    latencyEmpty: HTMLElement;
    occupancy: Record<'memEntries' | 'memBytes' | 'disk', Meter>;
    verify: Record<'verified' | 'cacheHits' | 'failures', Figure>;
    reasons: HTMLElement;
    errors: HTMLElement;
    sources: HTMLTableSectionElement;
    measureButton: VscButton;
    measureIntro: HTMLElement;
    measureProgress: ProgressBar;
    measureStatus: HTMLElement;
    measureResults: HTMLElement;
    measureFigures: Record<'cold' | 'disk' | 'memory', MeasureFigure>;
    measureSummary: HTMLElement;
  };
  readonly #charts: TimeChart[] = [];
  #hitChart!: TimeChart;
  #tputChart!: TimeChart;
  #lastSamples: Sample[] | undefined;
  #lastRange: ChartRange | undefined;
  #measureAction: 'start' | 'cancel' = 'start';

  constructor(root: HTMLElement, fmt: Formatter, handlers: ViewHandlers) {
    this.#fmt = fmt;
    this.#handlers = handlers;
    root.replaceChildren(this.#header(), h('div', { class: 'grid' }, this.#hitSection(), this.#throughputSection(), this.#measureSection(), this.#latencySection(), this.#occupancySection(), this.#verificationSection(), this.#sourcesSection()));
    this.#hitChart = new TimeChart(this.#el.hitChart, {
      series: [
        { label: l10n.t('Overall'), color: '--vscode-charts-blue' },
        { label: l10n.t('Memory'), color: '--vscode-charts-green', dash: [6, 3] },
        { label: l10n.t('Disk'), color: '--vscode-charts-orange', dash: [2, 3] },
      ],
      yRange: [0, 100],
      yLabel: l10n.t('Hit ratio (%)'),
      formatTime: (t) => fmt.time(t),
    });
    this.#tputChart = new TimeChart(this.#el.tputChart, {
      series: [
        { label: l10n.t('Downloaded'), color: '--vscode-charts-blue' },
        { label: l10n.t('Served'), color: '--vscode-charts-green', dash: [6, 3] },
        { label: l10n.t('MB/s'), color: '--vscode-charts-purple', dash: [2, 3], scale: 'y2' },
      ],
      yLabel: l10n.t('Templates/s'),
      y2Label: l10n.t('MB/s'),
      formatTime: (t) => fmt.time(t),
    });
    this.#charts.push(this.#hitChart, this.#tputChart);
  }

  retheme(): void {
    for (const c of this.#charts) c.retheme();
  }

  dispose(): void {
    for (const c of this.#charts) c.dispose();
  }

  render(state: ViewState, now: number): void {
    this.#renderHeader(state);
    const s = state.snapshot;
    const f = this.#fmt;
    const m = s?.metrics;
    // Hit ratio
    const tiers = m?.tiers;
    // A ratio of no reads is undefined: a dash, not "0%".
    const ratio = (r: number, reads: number) => (reads > 0 ? f.percent(r) : '–');
    this.#figure(this.#el.hit.overall, m ? ratio(m.hitRatio, tiers!.memory.hits + tiers!.memory.misses) : '–', m ? l10n.t('{0} of {1} reads from a cache', f.count((tiers!.memory.hits) + tiers!.disk.hits), f.count(tiers!.memory.hits + tiers!.memory.misses)) : '');
    for (const tier of ['memory', 'disk'] as const) {
      const t = tiers?.[tier];
      this.#figure(this.#el.hit[tier], t ? ratio(t.hitRatio, t.hits + t.misses) : '–', t ? l10n.t('{0} of {1} reads', f.count(t.hits), f.count(t.hits + t.misses)) : '');
    }
    const net = tiers?.network;
    this.#figure(this.#el.hit.network, net ? ratio(net.hitRatio, net.hits + net.misses) : '–', net ? l10n.t('{0} of {1} catalog checks unchanged', f.count(net.hits), f.count(net.hits + net.misses)) : '');
    // Throughput
    const tp = m?.throughput;
    const window = tp ? f.count(tp.windowMs / 1000) : '';
    this.#figure(this.#el.tput.tps, tp ? f.rate(tp.templatesPerSec) : '–', tp ? l10n.t('downloaded per second, last {0} s', window) : '');
    this.#figure(this.#el.tput.mbps, tp ? f.bytesPerSec(tp.bytesPerSec) : '–', tp ? l10n.t('downloaded, last {0} s', window) : '');
    this.#figure(this.#el.tput.served, tp ? f.rate(tp.servedPerSec) : '–', tp ? l10n.t('served per second from any tier') : '');
    this.#renderCharts(state);
    // Latency
    const rows = latencyRows(s);
    this.#el.latency.replaceChildren(
      ...rows.map((r) => h('tr', {}, h('th', { attrs: { scope: 'row' }, text: opName(r.op) }), num(f.count(r.count)), num(f.duration(r.p50)), num(f.duration(r.p95)), num(f.duration(r.p99)), num(f.duration(r.max)))),
    );
    this.#el.latencyEmpty.hidden = rows.length > 0;
    // Occupancy
    const o = s?.occupancy;
    this.#meter(this.#el.occupancy.memEntries, o ? o.memory.entries : 0, o ? o.memory.maxEntries : 0, o ? l10n.t('{0} of {1} entries', f.count(o.memory.entries), f.count(o.memory.maxEntries)) : '–');
    this.#meter(this.#el.occupancy.memBytes, o ? o.memory.bytes : 0, o ? o.memory.maxBytes : 0, o ? l10n.t('{0} of {1}', f.bytes(o.memory.bytes), f.bytes(o.memory.maxBytes)) : '–');
    const d = o?.disk;
    this.#meter(this.#el.occupancy.disk, d ? d.bytes : 0, d ? d.maxBytes : 0, d ? l10n.t('{0} of {1} ({2} entries)', f.bytes(d.bytes), f.bytes(d.maxBytes), f.count(d.entries)) : l10n.t('not scanned yet'));
    // Verification and errors
    const v = m?.verification;
    this.#figure(this.#el.verify.verified, v ? f.count(v.verified) : '–', l10n.t('verified'));
    this.#figure(this.#el.verify.cacheHits, v ? f.count(v.cacheHits) : '–', l10n.t('answered from the verification cache'));
    this.#figure(this.#el.verify.failures, v ? f.count(v.failures) : '–', l10n.t('failed'));
    this.#countList(this.#el.reasons, countRows(m?.verificationFailures), l10n.t('No verification failures.'));
    this.#countList(this.#el.errors, countRows(m?.errorsByCode), l10n.t('No errors.'));
    // Marketplaces
    this.#el.sources.replaceChildren(...(s?.sources ?? []).map((src) => this.#sourceRow(src, now)));
    this.#renderMeasure(state);
  }

  // ---- sections ----------------------------------------------------------------------------

  #header(): HTMLElement {
    const actions = new Map<ActionId, VscButton>();
    const button = (action: ActionId, label: string, secondary: boolean) => {
      const b = h('vscode-button', { attrs: { secondary } }, label) as VscButton;
      b.addEventListener('click', () => !b.disabled && this.#handlers.action(action));
      actions.set(action, b);
      return b;
    };
    this.#el.actions = actions;
    this.#el.engine = h('p', { class: 'engine-state' });
    return h(
      'header',
      { class: 'header' },
      h('div', {}, h('h1', { text: l10n.t('Template Marketplace Cache') }), this.#el.engine),
      h(
        'div',
        { class: 'actions', attrs: { role: 'toolbar', 'aria-label': l10n.t('Cache actions') } },
        button('warmUp', l10n.t('Warm Up'), false),
        button('refresh', l10n.t('Refresh Catalogs'), true),
        button('clearCache', l10n.t('Clear Cache...'), true),
        button('copySnapshot', l10n.t('Copy Snapshot as JSON'), true),
      ),
    );
  }

  #hitSection(): HTMLElement {
    const title = l10n.t('Hit ratio');
    this.#el.hit = {
      overall: this.#newFigure(l10n.t('Overall hit ratio'), 'big'),
      memory: this.#newFigure(l10n.t('Memory hit ratio')),
      disk: this.#newFigure(l10n.t('Disk hit ratio')),
      network: this.#newFigure(l10n.t('Network: catalogs unchanged')),
    };
    this.#el.hitChart = h('div', { class: 'chart-canvas' });
    this.#el.hitTable = h('tbody');
    return this.#card(
      title,
      h('div', { class: 'figures' }, ...Object.values(this.#el.hit).map((x) => x.root)),
      this.#chartFigure(this.#el.hitChart, l10n.t('Hit ratio over the session'), [
        [l10n.t('Overall'), 'blue', 'solid'],
        [l10n.t('Memory'), 'green', 'dashed'],
        [l10n.t('Disk'), 'orange', 'dotted'],
      ], this.#el.hitTable, [l10n.t('Time'), l10n.t('Overall'), l10n.t('Memory'), l10n.t('Disk')]),
      true,
    );
  }

  #throughputSection(): HTMLElement {
    this.#el.tput = {
      tps: this.#newFigure(l10n.t('Templates downloaded per second'), 'big'),
      mbps: this.#newFigure(l10n.t('Bytes downloaded per second')),
      served: this.#newFigure(l10n.t('Templates served per second')),
    };
    this.#el.tputChart = h('div', { class: 'chart-canvas' });
    this.#el.tputTable = h('tbody');
    return this.#card(
      l10n.t('Throughput'),
      h('div', { class: 'figures' }, ...Object.values(this.#el.tput).map((x) => x.root)),
      this.#chartFigure(this.#el.tputChart, l10n.t('Throughput over the session'), [
        [l10n.t('Downloaded templates/s'), 'blue', 'solid'],
        [l10n.t('Served templates/s'), 'green', 'dashed'],
        [l10n.t('Downloaded MB/s (right axis)'), 'purple', 'dotted'],
      ], this.#el.tputTable, [l10n.t('Time'), l10n.t('Downloaded/s'), l10n.t('Served/s'), l10n.t('MB/s')]),
      true,
    );
  }

  #latencySection(): HTMLElement {
    this.#el.latency = h('tbody');
    this.#el.latencyEmpty = h('p', { class: 'muted', text: l10n.t('Nothing measured yet.') });
    const head = [l10n.t('Operation'), l10n.t('Count'), 'p50', 'p95', 'p99', l10n.t('Max')];
    return this.#card(
      l10n.t('Latency'),
      h('div', { class: 'table-scroll' }, h('table', { attrs: { 'aria-label': l10n.t('Latency per operation') } }, h('thead', {}, h('tr', {}, ...head.map((x, i) => h('th', { class: i > 0 ? 'num' : '', attrs: { scope: 'col' }, text: x })))), this.#el.latency)),
      this.#el.latencyEmpty,
      'span2',
    );
  }

  #occupancySection(): HTMLElement {
    this.#el.occupancy = {
      memEntries: this.#newMeter(l10n.t('Memory tier entries')),
      memBytes: this.#newMeter(l10n.t('Memory tier size')),
      disk: this.#newMeter(l10n.t('Disk tier size')),
    };
    return this.#card(l10n.t('Occupancy'), ...Object.values(this.#el.occupancy).map((x) => x.root));
  }

  #verificationSection(): HTMLElement {
    this.#el.verify = {
      verified: this.#newFigure(l10n.t('Verified packages')),
      cacheHits: this.#newFigure(l10n.t('Verification cache hits')),
      failures: this.#newFigure(l10n.t('Verification failures')),
    };
    this.#el.reasons = h('ul', { class: 'counts', attrs: { 'aria-label': l10n.t('Verification failures by reason') } });
    this.#el.errors = h('ul', { class: 'counts', attrs: { 'aria-label': l10n.t('Errors by code') } });
    return this.#card(
      l10n.t('Verification and errors'),
      h('div', { class: 'figures' }, ...Object.values(this.#el.verify).map((x) => x.root)),
      h('div', { class: 'two-col' }, h('div', {}, h('h3', { text: l10n.t('Failures by reason') }), this.#el.reasons), h('div', {}, h('h3', { text: l10n.t('Errors by code') }), this.#el.errors)),
    );
  }

  #sourcesSection(): HTMLElement {
    this.#el.sources = h('tbody');
    const head = [l10n.t('Marketplace'), l10n.t('State'), l10n.t('Catalog version'), l10n.t('Checked'), l10n.t('Expires'), l10n.t('Templates')];
    return this.#card(
      l10n.t('Marketplaces'),
      h('div', { class: 'table-scroll' }, h('table', { attrs: { 'aria-label': l10n.t('Marketplaces') } }, h('thead', {}, h('tr', {}, ...head.map((x, i) => h('th', { class: i === 2 || i === 5 ? 'num' : '', attrs: { scope: 'col' }, text: x })))), this.#el.sources)),
      'span2',
    );
  }

  #measureSection(): HTMLElement {
    const button = h('vscode-button', {}, l10n.t('Measure the Tiers')) as VscButton;
    button.addEventListener('click', () => !button.disabled && this.#handlers.measure(this.#measureAction === 'start'));
    this.#el.measureButton = button;
    this.#el.measureIntro = h('p', {
      class: 'muted',
      text: l10n.t('Reads the 20 most popular templates three ways in a throwaway cache folder: cold from the marketplaces, warm from disk, and warm from memory. Your cache is not touched.'),
    });
    const progress = h('vscode-progress-bar', { attrs: { 'aria-label': l10n.t('Measuring progress') } }) as ProgressBar;
    progress.hidden = true;
    this.#el.measureProgress = progress;
    // Progress changes many times a second: not a live region. Only the outcome is announced, once.
    this.#el.measureStatus = h('p', { class: 'measure-status' });
    this.#el.announce = h('div', { class: 'sr-only', attrs: { role: 'status' } });
    const fig = (label: string, tier: 'cold' | 'disk' | 'memory'): MeasureFigure => {
      const f = this.#newFigure(label, 'big');
      const unit = h('span', { class: 'figure-unit' });
      f.value.after(unit);
      // The value and its unit on one line.
      const line = h('span', { class: 'figure-line' });
      f.value.replaceWith(line);
      line.append(f.value, ' ', unit);
      const bar = h('div', { class: `tier-bar tier-${tier}` });
      f.root.append(h('div', { class: 'tier-track', attrs: { 'aria-hidden': 'true' } }, bar));
      return { ...f, unit, bar };
    };
    this.#el.measureFigures = { cold: fig(l10n.t('Cold'), 'cold'), disk: fig(l10n.t('Warm from disk'), 'disk'), memory: fig(l10n.t('Warm from memory'), 'memory') };
    this.#el.measureSummary = h('p', { class: 'measure-summary' });
    this.#el.measureResults = h(
      'div',
      { class: 'measure-results', attrs: { role: 'group', 'aria-label': l10n.t('Tier measurement results') } },
      h('div', { class: 'figures' }, ...Object.values(this.#el.measureFigures).map((x) => x.root)),
      this.#el.measureSummary,
    );
    this.#el.measureResults.hidden = true;
    return this.#card(l10n.t('Measure the tiers'), this.#el.measureIntro, h('div', { class: 'measure-controls' }, button), progress, this.#el.measureStatus, this.#el.measureResults, this.#el.announce, true);
  }

  // ---- building blocks ---------------------------------------------------------------------

  /** A titled section. A last argument `true` makes it full width, `'span2'` two columns wide where there is room. */
  #card(title: string, ...children: Array<Node | boolean | 'span2'>): HTMLElement {
    const last = children.at(-1);
    const id = uid('card');
    const cls = last === true ? 'card wide' : last === 'span2' ? 'card span2' : 'card';
    return h('section', { class: cls, attrs: { 'aria-labelledby': id } }, h('h2', { id, text: title }), ...children.filter((c): c is Node => typeof c === 'object'));
  }

  #newFigure(label: string, size?: 'big'): Figure {
    const id = uid('fig');
    const value = h('span', { class: 'figure-value', text: '–' });
    const caption = h('span', { class: 'figure-caption' });
    const root = h('div', { class: size === 'big' ? 'figure big' : 'figure', attrs: { role: 'group', 'aria-labelledby': id } }, h('span', { class: 'figure-label', id, text: label }), value, caption);
    return { root, value, caption };
  }

  #figure(f: Figure, value: string, caption: string): void {
    setText(f.value, value);
    setText(f.caption, caption);
  }

  #newMeter(label: string): Meter {
    const id = uid('meter');
    const bar = h('div', { class: 'meter-bar' });
    const text = h('span', { class: 'meter-text' });
    const root = h(
      'div',
      { class: 'meter' },
      h('div', { class: 'meter-head' }, h('span', { id, text: label }), text),
      h('div', { class: 'meter-track', attrs: { role: 'meter', 'aria-labelledby': id, 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0 } }, bar),
    );
    return { root, bar, text };
  }

  #meter(m: Meter, used: number, limit: number, text: string): void {
    const share = fill(used, limit);
    // CSSOM, which the CSP allows (no inline style attribute). Anything in use shows at least a sliver.
    m.bar.style.width = used > 0 ? `max(2px, ${(share * 100).toFixed(2)}%)` : '0';
    m.bar.classList.toggle('high', share >= 0.9);
    setText(m.text, text);
    const track = m.bar.parentElement!;
    setAttr(track, 'aria-valuenow', (share * 100).toFixed(0));
    setAttr(track, 'aria-valuetext', text);
  }

  #chartFigure(canvas: HTMLElement, label: string, legend: Array<[string, string, string]>, tbody: HTMLTableSectionElement, head: string[]): HTMLElement {
    const ranges = (this.#el.ranges ??= []);
    const rangeGroup = h('div', { class: 'ranges', attrs: { role: 'group', 'aria-label': l10n.t('Chart range for {0}', label) } });
    for (const r of CHART_RANGES) {
      const b = h('button', { class: 'range', attrs: { type: 'button', 'aria-pressed': 'false', 'data-range': r }, text: rangeLabel(r) });
      b.addEventListener('click', () => this.#handlers.range(r));
      ranges.push([r, b]);
      rangeGroup.append(b);
    }
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', label);
    return h(
      'figure',
      { class: 'chart' },
      h('div', { class: 'chart-head' }, h('ul', { class: 'legend', attrs: { 'aria-label': l10n.t('Legend') } }, ...legend.map(([name, color, dash]) => h('li', {}, h('span', { class: `swatch swatch-${color} swatch-${dash}`, attrs: { 'aria-hidden': 'true' } }), name))), rangeGroup),
      canvas,
      h('details', {}, h('summary', { text: l10n.t('Show the data as a table') }), h('table', { attrs: { 'aria-label': label } }, h('thead', {}, h('tr', {}, ...head.map((x, i) => h('th', { class: i > 0 ? 'num' : '', attrs: { scope: 'col' }, text: x })))), tbody)),
    );
  }

  #countList(list: HTMLElement, rows: Array<{ code: string; count: number }>, empty: string): void {
    if (rows.length === 0) {
      list.replaceChildren(h('li', { class: 'muted', text: empty }));
      return;
    }
    list.replaceChildren(...rows.map((r) => h('li', {}, h('code', { text: r.code }), h('span', { class: 'num', text: this.#fmt.count(r.count) }))));
  }

  #sourceRow(s: SourceSummary, now: number): HTMLElement {
    const f = this.#fmt;
    // The age runs on between snapshots: count it from the confirmation time to now.
    const age = s.checkedAt !== undefined ? f.age(now - s.checkedAt) : '–';
    const expires = s.expires ? (s.expired ? l10n.t('expired {0}', f.dateTime(Date.parse(s.expires))) : f.dateTime(Date.parse(s.expires))) : '–';
    const state = h('span', { class: `state state-${s.state}` }, h('span', { class: 'dot', attrs: { 'aria-hidden': 'true' } }), stateName(s.state));
    const nameCell = h('th', { attrs: { scope: 'row' } }, h('span', { text: s.name }), s.error ? h('span', { class: 'source-error', text: `${s.error.code}: ${s.error.message}` }) : null);
    return h('tr', {}, nameCell, h('td', {}, state), num(s.version !== undefined ? f.count(s.version) : '–'), h('td', { text: age }), h('td', { text: expires }), num(f.count(s.templates)));
  }

  #renderHeader(state: ViewState): void {
    const { engine, engineError, running } = state.host;
    setText(this.#el.engine, engine === 'open' ? (state.snapshot ? l10n.t('Live: updated as the engine works, at most 4 times a second.') : l10n.t('Waiting for the first figures...')) : engine === 'opening' ? l10n.t('Opening the marketplace engine...') : l10n.t('The marketplace engine could not open: {0}', engineError ?? ''));
    this.#el.engine.classList.toggle('error', engine === 'failed');
    for (const [action, b] of this.#el.actions) {
      const busy = running.includes(action);
      b.disabled = engine !== 'open' || busy;
      setAttr(b, 'aria-busy', busy ? 'true' : undefined);
    }
  }

  #renderCharts(state: ViewState): void {
    const { range } = state.ui;
    for (const [r, b] of this.#el.ranges) setAttr(b, 'aria-pressed', String(r === range));
    if (this.#lastSamples === state.samples && this.#lastRange === range) return;
    this.#lastSamples = state.samples;
    this.#lastRange = range;
    const samples = visibleSamples(state.samples, range);
    this.#hitChart.update(hitRatioColumns(samples));
    this.#tputChart.update(throughputColumns(samples));
    const last = samples.at(-1);
    const f = this.#fmt;
    setAttr(this.#el.hitChart, 'aria-label', last ? l10n.t('Hit ratio over the session. Latest: overall {0}, memory {1}, disk {2}.', f.percent(last.hit), f.percent(last.memory), f.percent(last.disk)) : l10n.t('Hit ratio over the session. No data yet.'));
    setAttr(this.#el.tputChart, 'aria-label', last ? l10n.t('Throughput over the session. Latest: {0} downloaded/s, {1} served/s, {2} MB/s.', f.rate(last.tps), f.rate(last.served), f.megabytesPerSec(last.bps)) : l10n.t('Throughput over the session. No data yet.'));
    // The last ten points as text, newest first.
    const recent = samples.slice(-10).reverse();
    const time = (t: number) => f.time(t);
    this.#el.hitTable.replaceChildren(...recent.map((x) => h('tr', {}, h('td', { text: time(x.t) }), num(f.percent(x.hit)), num(f.percent(x.memory)), num(f.percent(x.disk)))));
    this.#el.tputTable.replaceChildren(...recent.map((x) => h('tr', {}, h('td', { text: time(x.t) }), num(f.rate(x.tps)), num(f.rate(x.served)), num(f.megabytesPerSec(x.bps)))));
  }

  #renderMeasure(state: ViewState): void {
    const ms = state.measure;
    const btn = measureButton(state);
    this.#measureAction = btn.action;
    this.#el.measureButton.disabled = !btn.enabled;
    setText(this.#el.measureButton, btn.action === 'cancel' ? l10n.t('Cancel') : l10n.t('Measure the Tiers'));
    const progress = this.#el.measureProgress;
    progress.hidden = ms.status !== 'running';
    if (ms.status === 'running') {
      const { phase, done, total } = ms.progress;
      const overall = phaseIndex(phase) * Math.max(total, 1) + done;
      progress.max = 3 * Math.max(total, 1);
      progress.value = Math.min(overall, progress.max);
      setText(this.#el.measureStatus, phaseText(phase, done, total, this.#fmt));
    } else if (ms.status === 'cancelled') setText(this.#el.measureStatus, l10n.t('Cancelled. The throwaway cache folder was removed.'));
    else if (ms.status === 'failed') setText(this.#el.measureStatus, l10n.t('The measurement failed: {0}', ms.message));
    else setText(this.#el.measureStatus, '');
    this.#el.measureResults.hidden = ms.status !== 'done';
    setText(this.#el.announce, ms.status === 'running' || ms.status === 'idle' ? '' : ms.status === 'done' ? l10n.t('Measurement finished.') : this.#el.measureStatus.textContent ?? '');
    if (ms.status !== 'done') return;
    const r = ms.result;
    const f = this.#fmt;
    const max = Math.max(r.cold.templatesPerSec, r.disk.templatesPerSec, r.memory.templatesPerSec, 1);
    const show = (fig: MeasureFigure, run: TierRun, caption: string) => {
      setText(fig.value, f.rate(run.templatesPerSec));
      setText(fig.unit, l10n.t('templates/s'));
      setText(fig.caption, caption);
      // Log scale: the tiers differ by orders of magnitude.
      fig.bar.style.width = `${Math.max(2, (Math.log10(1 + run.templatesPerSec) / Math.log10(1 + max)) * 100).toFixed(1)}%`;
    };
    show(this.#el.measureFigures.cold, r.cold, l10n.t('{0} in {1}, from the marketplaces', f.bytes(r.cold.bytes), f.duration(r.cold.elapsedMs)));
    show(this.#el.measureFigures.disk, r.disk, l10n.t('{0} the speed of cold, in {1}', f.ratio(r.ratios.diskOverCold), f.duration(r.disk.elapsedMs)));
    show(this.#el.measureFigures.memory, r.memory, l10n.t('{0} the speed of cold, {1} of disk, in {2}', f.ratio(r.ratios.memoryOverCold), f.ratio(r.ratios.memoryOverDisk), f.duration(r.memory.elapsedMs)));
    const failed = r.cold.failed + r.disk.failed + r.memory.failed;
    setText(this.#el.measureSummary, failed > 0 ? l10n.t('{0} reads failed; see the log.', f.count(failed)) : l10n.t('{0} templates, measured {1}.', f.count(r.refs.length), f.dateTime(r.at)));
  }
}

function num(text: string): HTMLTableCellElement {
  return h('td', { class: 'num', text });
}

function rangeLabel(r: ChartRange): string {
  switch (r) {
    case '1m':
      return l10n.t('1 min');
    case '5m':
      return l10n.t('5 min');
    case 'all':
      return l10n.t('Session');
  }
}

function opName(op: string): string {
  switch (op) {
    case 'catalog':
      return l10n.t('Catalog fetch');
    case 'search':
      return l10n.t('Search');
    case 'download':
      return l10n.t('Package download');
    case 'verify':
      return l10n.t('Verify (one package)');
    case 'verifyBatch':
      return l10n.t('Verify (batch)');
    case 'install':
      return l10n.t('Install');
    default:
      return op;
  }
}

function stateName(state: SourceSummary['state']): string {
  switch (state) {
    case 'fresh':
      return l10n.t('Fresh');
    case 'stale':
      return l10n.t('Stale');
    case 'offline':
      return l10n.t('Offline');
    case 'error':
      return l10n.t('Error');
    case 'empty':
      return l10n.t('Not loaded');
  }
}

function phaseIndex(phase: string): number {
  return phase === 'disk' ? 1 : phase === 'memory' || phase === 'cleaning' ? 2 : 0;
}

function phaseText(phase: string, done: number, total: number, f: Formatter): string {
  switch (phase) {
    case 'preparing':
      return l10n.t('Loading the catalogs into a throwaway cache...');
    case 'cold':
      return l10n.t('Cold: {0} of {1}', f.count(done), f.count(total));
    case 'disk':
      return l10n.t('Warm from disk: {0} of {1}', f.count(done), f.count(total));
    case 'memory':
      return l10n.t('Warm from memory: {0} of {1}', f.count(done), f.count(total));
    default:
      return l10n.t('Removing the throwaway cache...');
  }
}
