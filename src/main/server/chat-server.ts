import type { ChatServer, ChatServerOptions } from './index'

export function createChatServer(_options: ChatServerOptions): ChatServer {
  throw new Error('not implemented yet')
}
