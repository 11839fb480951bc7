import { useEffect, useState } from 'react'
import QRCode from 'qrcode'

/**
 * A QR code a phone can scan. It encodes the http:// address of the web client the hosted
 * server serves at /, not the ws:// URL: a phone's camera opens web pages, not sockets.
 */
export function webClientUrl(wsUrl: string): string {
  const url = new URL(wsUrl)
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:'
  url.pathname = '/'
  return url.toString()
}

export function AddressQr({ wsUrl }: { wsUrl: string }) {
  const target = webClientUrl(wsUrl)
  const [image, setImage] = useState<{ for: string; src: string } | null>(null)
  useEffect(() => {
    let cancelled = false
    QRCode.toDataURL(target, { margin: 1, width: 148, errorCorrectionLevel: 'M' })
      .then((src) => {
        if (!cancelled) setImage({ for: target, src })
      })
      .catch(() => undefined)
    return () => {
      cancelled = true
    }
  }, [target])
  if (image?.for !== target) return <div className="host-qr host-qr-pending" aria-hidden="true" />
  return <img className="host-qr" src={image.src} width={148} height={148} alt={`QR code for ${target}`} />
}
