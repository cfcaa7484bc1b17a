// A live time-series chart on uPlot. The chart is created once per mount (and per theme) and fed with
// setData() on every change, so a once-a-second update redraws one canvas: no new DOM, no flicker, no
// growth. The x axis always shows the chosen range up to `now`, so the chart scrolls even when nothing
// happens. The y axis is labelled with its unit; lines have colours told apart by hue and lightness
// (theme.css's --chart-N, and a dash for the third); a second without a value is a gap, never a line
// drawn across; the seconds are put together to at most one point per pixel (lib/chart-data.ts). The
// legend under the chart shows each line's newest value without hovering; hovering shows a tooltip
// with the second's values. The canvas is decoration for assistive tech: the caption and legend say what
// it holds in words.

import { useEffect, useId, useMemo, useRef, useState } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { aggregateColumns, latestValues, rangeLabel, type ChartData, type Reduce } from '../lib/chart-data'
import { WINDOW_SECONDS } from '../lib/series-store'
import { useResolvedTheme } from '../lib/theme'
import { formatTime } from '../lib/time'

export interface LineSpec {
  label: string
  /** A theme variable (styles/theme.css), so the colour follows the theme. */
  color: `--chart-${number}`
  dash?: number[]
  /** How seconds sharing a drawn point combine: 'max' for latencies, 'mean' for rates and ratios. */
  reduce: Reduce
}

export interface TimeChartProps {
  title: string
  /** Appended to values in the legend and the tooltip: "ms", "/s", "%". */
  unit: string
  /** The y axis's label, with the unit: "ms (log scale)", "operations per second". */
  axisLabel: string
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
  /** The sentence under the title: what the latest values are. */
  summary: string
}

const HEIGHT = 180

/** The y axis's width in pixels: what is left of the chart's width is the plot. */
const Y_AXIS_PX = 56

export function TimeChart({ title, unit, axisLabel, lines, data, now, windowSeconds = WINDOW_SECONDS, yMax, scale = 'linear', summary }: TimeChartProps) {
  const captionId = useId()
  const hostRef = useRef<HTMLDivElement>(null)
  const chartRef = useRef<uPlot | null>(null)
  const [width, setWidth] = useState(0)
  const theme = useResolvedTheme()
  const nowRef = useRef(now)
  nowRef.current = now
  const rangeRef = useRef(windowSeconds)
  rangeRef.current = windowSeconds
  const reduceKey = lines.map((l) => l.reduce).join()
  // One drawn point per pixel of the plot at most.
  const drawn = useMemo(
    () => aggregateColumns(data, Math.max(50, width - Y_AXIS_PX), reduceKey.split(',') as Reduce[]),
    [data, width, reduceKey],
  )
  const dataRef = useRef(drawn.columns)
  dataRef.current = drawn.columns
  const points = data.points
  const latest = latestValues(data)
  // The chart is rebuilt only if its lines, axis or theme change (never on data), so this key is all the effect needs.
  const linesKey = lines.map((l) => `${l.label}:${l.color}:${l.dash?.join() ?? ''}`).join('|')
  const log = scale === 'log'

  useEffect(() => {
    const host = hostRef.current
    if (!host) return
    const style = getComputedStyle(host)
    const color = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback
    const axisColor = color('--chart-axis', '#555')
    const gridColor = color('--chart-grid', '#e5e5e5')
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
        // The legend is ours (below): it shows the newest values without hovering.
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: {
          x: { time: true, range: () => [nowRef.current - rangeRef.current, nowRef.current] },
          y: yScale,
        },
        axes: [axis, { ...axis, size: Y_AXIS_PX, values: yValues }],
        series: [
          { label: 'Time' },
          ...lines.map((line) => ({
            label: line.label,
            stroke: color(line.color, '#2563eb'),
            width: 1.5,
            dash: line.dash,
            // A second without a value is a gap: a line drawn across it would invent values.
            spanGaps: false,
            // Always drawn: a lone busy second between quiet ones has no line to show it.
            points: { show: true, size: 3 },
          })),
        ],
        plugins: [tooltipPlugin(unit)],
      },
      dataRef.current as uPlot.AlignedData,
      host,
    )
    chartRef.current = chart
    const resize = new ResizeObserver(() => {
      const next = Math.max(200, host.clientWidth)
      setWidth(next)
      if (next !== chart.width) chart.setSize({ width: next, height: HEIGHT })
    })
    resize.observe(host)
    return () => {
      resize.disconnect()
      chart.destroy()
      chartRef.current = null
    }
  }, [linesKey, unit, yMax, log, theme])

  useEffect(() => {
    chartRef.current?.setData(drawn.columns as uPlot.AlignedData, true)
  }, [drawn, now, windowSeconds])

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
      {/* The y axis's unit, above its labels (the canvas holds only the numbers). */}
      <p className="chart-axis-unit">{axisLabel}</p>
      <div className="chart-host" ref={hostRef} aria-hidden="true" />
      <ul className="chart-legend" aria-label={`${title}: newest values`}>
        {lines.map((line, i) => (
          <li key={line.label}>
            <span className={`chart-swatch${line.dash ? ' chart-swatch-dashed' : ''}`} style={{ borderColor: `var(${line.color})` }} aria-hidden="true" />
            {line.label} <strong>{latest[i] === null || latest[i] === undefined ? 'no value' : `${formatValue(latest[i]!)} ${unit}`}</strong>
          </li>
        ))}
      </ul>
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
