import type { NetworkStatus } from '../engine/socket-types'

/** navigator.onLine and the window's online/offline events, as the engine's NetworkStatus. */
export function browserNetwork(): NetworkStatus | undefined {
  if (typeof window === 'undefined' || typeof navigator === 'undefined') return undefined
  return {
    online: () => navigator.onLine !== false,
    subscribe(listener) {
      const onOnline = () => listener(true)
      const onOffline = () => listener(false)
      window.addEventListener('online', onOnline)
      window.addEventListener('offline', onOffline)
      return () => {
        window.removeEventListener('online', onOnline)
        window.removeEventListener('offline', onOffline)
      }
    }
  }
}
