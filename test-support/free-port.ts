import { createServer } from 'node:net'

/**
 * A loopback port nothing listens on right now, for a server started in another process (which
 * cannot be handed port 0 and report back as easily). The soak and the bench both restart servers
 * on the same port, which is why they pick one up front.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}
