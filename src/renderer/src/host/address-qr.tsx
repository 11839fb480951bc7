import { useEffect, useState } from 'react'
import QRCode from 'qrcode'

/**
 * A QR code a phone can scan. It encodes the http(s):// address of the web client the hosted
 * server serves at /, not the ws:// URL: a phone's camera opens web pages, not sockets. With TLS
 * the link carries the certificate's fingerprint (`#fp=`): pasted into Parley, it lets the app
 * trust that certificate without asking (a fragment never reaches the server).
 */
export function webClientUrl(wsUrl: string, fingerprint?: string): string {
  const url = new URL(wsUrl)
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:'
  url.pathname = '/'
  if (fingerprint) url.hash = `fp=${fingerprint}`
  return url.toString()
}

export function AddressQr({ wsUrl, fingerprint }: { wsUrl: string; fingerprint?: string }) {
  const target = webClientUrl(wsUrl, fingerprint)
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
