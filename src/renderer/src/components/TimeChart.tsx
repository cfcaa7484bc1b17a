// A live time-series chart on uPlot. The chart is created once per mount and fed with setData() on
// every change, so a once-a-second update redraws one canvas: no new DOM, no flicker, no growth. The
// x axis always shows the chosen range up to `now`, so the chart scrolls even when nothing happens.
// Latency uses a log axis: one 40 ms outlier no longer flattens every sub-millisecond p50 into the
// floor. Hovering shows a tooltip with the second's values. The canvas is decoration for assistive
// tech: the caption says what it holds in words.

import { useEffect, useId, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { rangeLabel, type ChartData } from '../lib/chart-data'
import { WINDOW_SECONDS } from '../lib/series-store'
import { formatTime } from '../lib/time'

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
  /** Seconds shown, ending at `now` (default 15 minutes). */
  windowSeconds?: number
  /** A fixed y range (the hit ratio is always 0–100). */
  yMax?: number
  /** 'log': base-10 y axis, for latencies that span orders of magnitude. */
  scale?: 'linear' | 'log'
  /** Connect points across seconds without a value (latency is undefined in a quiet second). */
  spanGaps?: boolean
  /** The sentence under the title: what the latest values are. */
  summary: string
}

const HEIGHT = 180

export function TimeChart({ title, unit, lines, data, now, windowSeconds = WINDOW_SECONDS, yMax, scale = 'linear', spanGaps = false, summary }: TimeChartProps) {
  const captionId = useId()
  const hostRef = useRef<HTMLDivElement>(null)
  const chartRef = useRef<uPlot | null>(null)
  const nowRef = useRef(now)
  nowRef.current = now
  const rangeRef = useRef(windowSeconds)
  rangeRef.current = windowSeconds
  const dataRef = useRef(data.columns)
  dataRef.current = data.columns
  const points = data.points
  // The chart is rebuilt only if its lines or axis change (never on data), so this key is all the effect needs.
  const linesKey = lines.map((l) => `${l.label}:${l.color}`).join('|')
  const log = scale === 'log'

  useEffect(() => {
    const host = hostRef.current
    if (!host) return
    const style = getComputedStyle(host)
    const axisColor = style.getPropertyValue('--chart-axis').trim() || '#555'
    const gridColor = style.getPropertyValue('--chart-grid').trim() || '#e5e5e5'
    const axis: uPlot.Axis = { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 } }
    const yScale: uPlot.Scale = log
      ? { distr: 3, log: 10, range: (_self, min, max) => logRange(min, max) }
      : { range: (_self, _min, max) => [0, yMax ?? (max > 0 ? niceCeil(max * 1.15) : 1)] }
    const yValues = (_self: uPlot, ticks: number[]): string[] =>
      // On a log axis uPlot ticks 1–9 of each decade: label the decades only, so labels never collide.
      ticks.map((v) => (log && !isPowerOfTen(v) ? '' : `${formatValue(v)}${unit === '%' ? '%' : ''}`))
    const chart = new uPlot(
      {
        width: Math.max(200, host.clientWidth),
        height: HEIGHT,
        legend: { show: true, live: true },
        cursor: { drag: { x: false, y: false } },
        scales: {
          x: { time: true, range: () => [nowRef.current - rangeRef.current, nowRef.current] },
          y: yScale,
        },
        axes: [axis, { ...axis, size: 56, values: yValues }],
        series: [
          { label: 'Time' },
          ...lines.map((line) => ({
            label: line.label,
            stroke: line.color,
            width: 1.5,
            dash: line.dash,
            spanGaps,
            // Always drawn: a lone busy second between quiet ones has no line to show it.
            points: { show: true, size: 3 },
            value: (_self: uPlot, v: number | null) => (v === null || v === undefined ? '–' : `${formatValue(v)} ${unit}`),
          })),
        ],
        plugins: [tooltipPlugin(unit)],
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
  }, [linesKey, unit, yMax, log, spanGaps])

  useEffect(() => {
    chartRef.current?.setData(data.columns as uPlot.AlignedData, true)
  }, [data, now, windowSeconds])

  const range = rangeLabel(windowSeconds)
  return (
    <figure className="chart" aria-labelledby={captionId}>
      <figcaption id={captionId}>
        <span className="chart-title">{title}</span>
        <span className="chart-summary">
          {points === 0 ? `No data in the ${range}` : `${points} data ${points === 1 ? 'point' : 'points'}, ${range}`}
          {points > 0 && summary ? ` · ${summary}` : ''}
        </span>
        {log && <span className="chart-note">Log scale: each labelled line is ten times the one below.</span>}
      </figcaption>
      <div className="chart-host" ref={hostRef} aria-hidden="true" />
    </figure>
  )
}

/** A box that follows the cursor with the second's time and each line's value. */
function tooltipPlugin(unit: string): uPlot.Plugin {
  let box: HTMLDivElement | null = null
  return {
    hooks: {
      init: (u) => {
        box = document.createElement('div')
        box.className = 'chart-tooltip'
        box.hidden = true
        u.over.appendChild(box)
      },
      setCursor: (u) => {
        if (!box) return
        const { idx, left, top } = u.cursor
        if (idx === null || idx === undefined || left === undefined || left < 0 || top === undefined) {
          box.hidden = true
          return
        }
        const t = u.data[0][idx]
        const rows = u.series.slice(1).map((s, i) => {
          const v = u.data[i + 1]?.[idx]
          return `${String(s.label)}: ${v === null || v === undefined ? '–' : `${formatValue(v)} ${unit}`}`
        })
        if (t === undefined || rows.every((r) => r.endsWith('–'))) {
          box.hidden = true
          return
        }
        box.textContent = ''
        const time = document.createElement('div')
        time.className = 'chart-tooltip-time'
        time.textContent = formatTime(t * 1000)
        box.appendChild(time)
        for (const row of rows) {
          const line = document.createElement('div')
          line.textContent = row
          box.appendChild(line)
        }
        box.hidden = false
        // Kept inside the plot: flips to the left of the cursor in the right half.
        const flip = left > u.over.clientWidth / 2
        box.style.left = `${flip ? left - box.offsetWidth - 12 : left + 12}px`
        box.style.top = `${Math.max(0, Math.min(top, u.over.clientHeight - box.offsetHeight))}px`
      },
    },
  }
}

function logRange(min: number | null, max: number | null): uPlot.Range.MinMax {
  if (min === null || max === null || !(min > 0) || !(max > 0)) return [0.01, 1]
  const lo = 10 ** Math.floor(Math.log10(min))
  let hi = 10 ** Math.ceil(Math.log10(max))
  if (hi <= lo) hi = lo * 10
  return [lo, hi]
}

function isPowerOfTen(v: number): boolean {
  if (!(v > 0)) return false
  const exponent = Math.round(Math.log10(v))
  return Math.abs(v - 10 ** exponent) < 10 ** exponent * 1e-6
}

export function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v)
  if (Math.abs(v) >= 100) return v.toFixed(0)
  if (Math.abs(v) >= 10) return v.toFixed(1)
  if (Math.abs(v) >= 0.01) return v.toFixed(2).replace(/\.?0+$/, '')
  // Sub-10 µs latencies: two significant digits rather than "0".
  return Number(v.toPrecision(2)).toString()
}

function niceCeil(v: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(v))
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= v) return step * magnitude
  return 10 * magnitude
}
