// A live time-series chart on uPlot. The chart is created once per mount and fed with setData() on
// every change, so a once-a-second update redraws one canvas: no new DOM, no flicker, no growth. The
// x axis always shows the last 15 minutes up to `now`, so the chart scrolls even when nothing happens.
// The canvas is decoration for assistive tech: the caption says what it holds in words.

import { useEffect, useId, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { ChartData } from '../lib/chart-data'
import { WINDOW_SECONDS } from '../lib/series-store'

export interface LineSpec {
  label: string
  color: string
  dash?: number[]
}

export interface TimeChartProps {
  title: string
  /** Appended to values in the legend: "ms", "/s", "%". */
  unit: string
  lines: readonly LineSpec[]
  data: ChartData
  /** Epoch seconds: the right edge of the x axis. */
  now: number
  /** A fixed y range (the hit ratio is always 0–100). */
  yMax?: number
  /** The sentence under the title: what the latest values are. */
  summary: string
}

const HEIGHT = 180

export function TimeChart({ title, unit, lines, data, now, yMax, summary }: TimeChartProps) {
  const captionId = useId()
  const hostRef = useRef<HTMLDivElement>(null)
  const chartRef = useRef<uPlot | null>(null)
  const nowRef = useRef(now)
  nowRef.current = now
  const dataRef = useRef(data.columns)
  dataRef.current = data.columns
  const points = data.points
  // The chart is rebuilt only if its lines change (never on data), so this key is all the effect needs.
  const linesKey = lines.map((l) => `${l.label}:${l.color}`).join('|')

  useEffect(() => {
    const host = hostRef.current
    if (!host) return
    const style = getComputedStyle(host)
    const axisColor = style.getPropertyValue('--chart-axis').trim() || '#555'
    const gridColor = style.getPropertyValue('--chart-grid').trim() || '#e5e5e5'
    const axis: uPlot.Axis = { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 } }
    const chart = new uPlot(
      {
        width: Math.max(200, host.clientWidth),
        height: HEIGHT,
        legend: { show: true, live: true },
        cursor: { drag: { x: false, y: false } },
        scales: {
          x: { time: true, range: () => [nowRef.current - WINDOW_SECONDS, nowRef.current] },
          y: {
            range: (_self, _min, max) => [0, yMax ?? (max > 0 ? niceCeil(max * 1.15) : 1)],
          },
        },
        axes: [axis, { ...axis, size: 56, values: (_self, ticks) => ticks.map((v) => `${formatValue(v)}${unit === '%' ? '%' : ''}`) }],
        series: [
          { label: 'Time' },
          ...lines.map((line) => ({
            label: line.label,
            stroke: line.color,
            width: 1.5,
            dash: line.dash,
            spanGaps: false,
            // Always drawn: a lone busy second between quiet ones has no line to show it.
            points: { show: true, size: 3 },
            value: (_self: uPlot, v: number | null) => (v === null || v === undefined ? '–' : `${formatValue(v)} ${unit}`),
          })),
        ],
      },
      dataRef.current as uPlot.AlignedData,
      host,
    )
    chartRef.current = chart
    const resize = new ResizeObserver(() => {
      const width = Math.max(200, host.clientWidth)
      if (width !== chart.width) chart.setSize({ width, height: HEIGHT })
    })
    resize.observe(host)
    return () => {
      resize.disconnect()
      chart.destroy()
      chartRef.current = null
    }
  }, [linesKey, unit, yMax])

  useEffect(() => {
    chartRef.current?.setData(data.columns as uPlot.AlignedData, true)
  }, [data, now])

  return (
    <figure className="chart" aria-labelledby={captionId}>
      <figcaption id={captionId}>
        <span className="chart-title">{title}</span>
        <span className="chart-summary">
          {points === 0 ? 'No data in the last 15 minutes' : `${points} data ${points === 1 ? 'point' : 'points'}`}
          {points > 0 && summary ? ` · ${summary}` : ''}
        </span>
      </figcaption>
      <div className="chart-host" ref={hostRef} aria-hidden="true" />
    </figure>
  )
}

export function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v)
  if (Math.abs(v) >= 100) return v.toFixed(0)
  if (Math.abs(v) >= 10) return v.toFixed(1)
  return v.toFixed(2).replace(/\.?0+$/, '')
}

function niceCeil(v: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(v))
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= v) return step * magnitude
  return 10 * magnitude
}
