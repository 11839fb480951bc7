// Raw ws broadcast baseline: the practical ceiling for a Node chat server. A Set of sockets per
// room, the inbound JSON parsed, the outbound message stringified once and the same string handed
// to every member (ws still frames it once per member). No validation, limits or persistence.
import { createServer } from 'node:http'
import { WebSocketServer, type WebSocket } from 'ws'
import { parseServerArgs } from './server-args'

const { host, port } = parseServerArgs(process.argv.slice(2))
const rooms = new Map<string, Set<WebSocket>>()

const http = createServer((req, res) => {
  res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'application/json' })
  res.end('{"ok":true}')
})
const wss = new WebSocketServer({ server: http, perMessageDeflate: false })

wss.on('connection', (socket) => {
  const joined = new Set<string>()
  socket.on('error', () => socket.terminate())
  socket.on('message', (data) => {
    let msg: { type?: string; room?: string; text?: string }
    try {
      msg = JSON.parse(data.toString())
    } catch {
      return
    }
    if (typeof msg.room !== 'string') return
    if (msg.type === 'join') {
      let members = rooms.get(msg.room)
      if (!members) rooms.set(msg.room, (members = new Set()))
      members.add(socket)
      joined.add(msg.room)
      socket.send(JSON.stringify({ type: 'joined', room: msg.room }))
    } else if (msg.type === 'send') {
      const members = rooms.get(msg.room)
      if (!members || !joined.has(msg.room)) return
      const out = JSON.stringify({ type: 'message', room: msg.room, text: msg.text, ts: Date.now() })
      for (const member of members) member.send(out)
    }
  })
  socket.on('close', () => {
    for (const room of joined) rooms.get(room)?.delete(socket)
  })
})

http.listen(port, host, () => {
  const address = http.address()
  console.log(`ready ${typeof address === 'object' && address ? address.port : port}`)
})
process.on('SIGTERM', () => process.exit(0))
