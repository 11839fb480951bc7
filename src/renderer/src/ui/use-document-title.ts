import { useEffect } from 'react'
import { useStore } from '../store'
import { selectChannelLabel } from '../store/selectors'

/** "(3) #general · Parley": the unread total shows in the tab or window title. */
export function useDocumentTitle(): void {
  const unread = useStore((s) => Object.values(s.unread).reduce((sum, n) => sum + n, 0))
  const label = useStore(selectChannelLabel)
  useEffect(() => {
    document.title = `${unread ? `(${unread}) ` : ''}${label ? `${label} · ` : ''}Parley`
  }, [unread, label])
}
