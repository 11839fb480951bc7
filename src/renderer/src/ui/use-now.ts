import { useEffect, useState } from 'react'

/** The current time, refreshed every `periodMs` while `active`: for countdowns and expiring notices. */
export function useNow(periodMs: number, active = true): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (!active) return
    const tick = () => setNow(Date.now())
    // Catch up at once when (re)activated, then keep ticking.
    const first = setTimeout(tick, 0)
    const handle = setInterval(tick, periodMs)
    return () => {
      clearTimeout(first)
      clearInterval(handle)
    }
  }, [periodMs, active])
  return now
}
