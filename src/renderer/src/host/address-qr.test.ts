import QRCode from 'qrcode'
import { describe, expect, it } from 'vitest'
import { webClientUrl } from './address-qr'

describe('the QR code target', () => {
  it('is the web client the hosted server serves at /, not the socket URL', () => {
    expect(webClientUrl('ws://192.168.1.20:8080/ws')).toBe('http://192.168.1.20:8080/')
    expect(webClientUrl('wss://chat.example:443/ws')).toBe('https://chat.example/')
    expect(webClientUrl('ws://[fd00::5]:8081/ws')).toBe('http://[fd00::5]:8081/')
  })

  it('renders as a PNG data URL an <img> can show under the app CSP (img-src data:)', async () => {
    const src = await QRCode.toDataURL(webClientUrl('ws://192.168.1.20:8080/ws'), { margin: 1, width: 148 })
    expect(src).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/)
  })
})
