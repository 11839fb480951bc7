import { useEffect } from 'react'
import { useStore } from '../store'

/** "(3) #general · Parley": the unread total shows in the tab or window title. */
export function useDocumentTitle(): void {
  const unread = useStore((s) => Object.values(s.unread).reduce((sum, n) => sum + n, 0))
  const current = useStore((s) => s.current)
  const dmNick = useStore((s) =>
    s.current?.startsWith('@') ? s.dms.find((d) => `@${d.id}` === s.current)?.nick : undefined
  )
  useEffect(() => {
    const place = current ? (dmNick ? `@${dmNick}` : current.startsWith('@') ? '' : `#${current}`) : ''
    document.title = `${unread ? `(${unread}) ` : ''}${place ? `${place} · ` : ''}Parley`
  }, [unread, current, dmNick])
}
