import { useStore } from '../store'
import { ChatScreen } from './chat-screen'
import { ConnectScreen } from './connect-screen'
import { useDocumentTitle } from './use-document-title'
import { useKeyboardShortcuts } from './use-keyboard-shortcuts'

export function App() {
  const admitted = useStore((s) => s.admitted)
  useKeyboardShortcuts()
  useDocumentTitle()
  return admitted ? <ChatScreen /> : <ConnectScreen />
}
