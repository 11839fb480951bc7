/**
 * The two questions certificate pinning (certificate-trust.ts) puts to the person, as message
 * boxes over the main window (free-standing while there is none). Button 1 is the yes.
 */
import type { BrowserWindow, Dialog, MessageBoxOptions } from 'electron'
import type { CertificateVerifierDeps } from './certificate-trust'

export type CertificatePrompts = Pick<CertificateVerifierDeps, 'ask' | 'explainRefusal'>

export function createCertificatePrompts(
  dialog: Pick<Dialog, 'showMessageBox'>,
  parentWindow: () => BrowserWindow | null
): CertificatePrompts {
  async function confirm(options: MessageBoxOptions): Promise<boolean> {
    const parent = parentWindow()
    const answer = parent
      ? await dialog.showMessageBox(parent, options)
      : await dialog.showMessageBox(options)
    return answer.response === 1
  }

  return {
    ask: (hostname, message) =>
      confirm({
        type: 'question',
        title: 'Trust this server?',
        message: `Trust the certificate of ${hostname}?`,
        detail: message,
        buttons: ['Cancel', 'Trust and connect'],
        defaultId: 0,
        cancelId: 0
      }),
    explainRefusal: (hostname, message) =>
      confirm({
        type: 'warning',
        title: 'Certificate changed',
        message: `Parley refused to connect to ${hostname}.`,
        detail: message,
        buttons: ['OK', 'Forget the remembered certificate'],
        defaultId: 0,
        cancelId: 0
      })
  }
}
