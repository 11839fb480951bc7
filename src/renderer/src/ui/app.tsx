import { useStore } from '../store'
import { ChatScreen } from './chat-screen'
import { ConnectScreen } from './connect-screen'
import { useKeyboardShortcuts } from './use-keyboard-shortcuts'

export function App() {
  const admitted = useStore((s) => s.admitted)
  useKeyboardShortcuts()
  return admitted ? <ChatScreen /> : <ConnectScreen />
}
