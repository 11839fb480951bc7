import type { RttSample } from '../../engine/engine-events'

const WIDTH = 240
const HEIGHT = 40

/** Round-trip times as a small line chart; the numbers beside it carry the same facts in text. */
export function RttSparkline({ samples }: { samples: RttSample[] }) {
  const recent = samples.slice(-60)
  if (recent.length === 0)
    return <p className="muted small">No round trips measured yet (one ping every 10 s).</p>
  const values = recent.map((s) => s.ms)
  const max = Math.max(...values, 1)
  const avg = values.reduce((a, b) => a + b, 0) / values.length
  const step = recent.length > 1 ? WIDTH / (recent.length - 1) : WIDTH
  const points = values.map(
    (v, i) => `${(i * step).toFixed(1)},${(HEIGHT - (v / max) * (HEIGHT - 4) - 2).toFixed(1)}`
  )
  const last = values.at(-1) ?? 0
  return (
    <div className="sparkline">
      <svg
        width={WIDTH}
        height={HEIGHT}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Round-trip times, last ${last} ms`}
      >
        {points.length > 1 ? (
          <polyline points={points.join(' ')} fill="none" stroke="currentColor" strokeWidth="1.5" />
        ) : (
          <circle cx={WIDTH / 2} cy={HEIGHT / 2} r={3} fill="currentColor" />
        )}
      </svg>
      <dl className="facts inline">
        <dt>last</dt>
        <dd>{last} ms</dd>
        <dt>avg</dt>
        <dd>{Math.round(avg)} ms</dd>
        <dt>max</dt>
        <dd>{max} ms</dd>
      </dl>
    </div>
  )
}
