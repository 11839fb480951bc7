import { useStore } from '../store'
import { WsClientScreen } from '../ws-client/ws-client-screen'
import { useWsClient } from '../ws-client/ws-client-store'
import { ChatScreen } from './chat-screen'
import { ConnectScreen } from './connect-screen'
import { useDocumentTitle } from './use-document-title'
import { useKeyboardShortcuts } from './use-keyboard-shortcuts'

export function App() {
  const admitted = useStore((s) => s.admitted)
  const wsClient = useWsClient((s) => s.visible)
  useKeyboardShortcuts()
  useDocumentTitle()
  // The WebSocket client stands beside the chat, not inside it: it talks to any server.
  if (wsClient) return <WsClientScreen />
  return admitted ? <ChatScreen /> : <ConnectScreen />
}
