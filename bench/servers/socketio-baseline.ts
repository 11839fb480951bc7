// socket.io v4 chat baseline: the shape of the classic socket.io chat example — rooms, and
// `socket.to(room).emit` to everyone in the room but the sender. No validation, limits or
// persistence. Websocket transport only, since that is what the load generator speaks.
import { createServer } from 'node:http'
import { Server } from 'socket.io'
import { parseServerArgs } from './server-args'

const { host, port } = parseServerArgs(process.argv.slice(2))

const http = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"ok":true}')
  }
})
const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false })

io.on('connection', (socket) => {
  socket.on('join', (room: unknown, ack?: () => void) => {
    if (typeof room !== 'string') return
    void socket.join(room)
    if (typeof ack === 'function') ack()
  })
  socket.on('send', (msg: { room?: unknown; text?: unknown }) => {
    if (typeof msg?.room !== 'string' || !socket.rooms.has(msg.room)) return
    socket.to(msg.room).emit('message', { room: msg.room, text: msg.text, ts: Date.now() })
  })
})

http.listen(port, host, () => {
  const address = http.address()
  console.log(`ready ${typeof address === 'object' && address ? address.port : port}`)
})
process.on('SIGTERM', () => process.exit(0))
