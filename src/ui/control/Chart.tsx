/**
 * A time-series chart (uPlot): one line per series, x in epoch seconds. uPlot is imported only
 * by the control room's pages, so only they download it.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartSeries } from '../../domain/control/protocol.ts';

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/** Series with their own x values, merged onto one x axis (a missing point is a gap). */
export function alignSeries(series: readonly ChartSeries[]): uPlot.AlignedData {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const ys = series.map((s) => {
    const at = new Map(s.points);
    return xs.map((x) => at.get(x) ?? null);
  });
  return [xs, ...ys];
}

/**
 * `days`: the x axis spans the last `days` days up to now (a series of one point is then a point
 * in its week, not in an axis of years).
 */
export function Chart({
  title,
  series,
  unit,
  step = false,
  days,
}: {
  title: string;
  series: readonly ChartSeries[];
  unit: string;
  step?: boolean;
  days?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || series.length === 0) return;
    const width = Math.max(320, Math.min(el.clientWidth || 800, 1200));
    const plot = new uPlot(
      {
        title,
        width,
        height: 240,
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: COLOURS[i % COLOURS.length]!,
            width: 2,
            spanGaps: true,
            ...(step ? { paths: uPlot.paths.stepped!({ align: 1 }) } : {}),
          })),
        ],
        axes: [{}, { label: unit }],
        ...(days ? { scales: { x: { time: true, range: (): uPlot.Range.MinMax => [Date.now() / 1000 - days * 86_400, Date.now() / 1000] } } } : {}),
      },
      alignSeries(series),
      el,
    );
    return () => plot.destroy();
  }, [title, series, unit, step, days]);
  return (
    <figure className="chart" aria-label={title}>
      {series.length === 0 ? <figcaption>{title}: no data yet.</figcaption> : null}
      <div ref={box} />
    </figure>
  );
}
