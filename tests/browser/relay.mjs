// A test fixture standing in for issue 5's node: a WebSocket server on 127.0.0.1 that forwards
// every frame, as it came, to its other clients, which is all the provisional change broadcast
// asks of a server. It is not the node and checks nothing. Node 20 has no WebSocket client
// either: node-side tests take ws's.
import { once } from 'node:events';
import { WebSocketServer } from 'ws';

export { WebSocket } from 'ws';

/** Listens on `port` (default: a free one). stats counts connections and forwarded frames. */
export async function startRelay({ port = 0 } = {}) {
  const server = new WebSocketServer({ host: '127.0.0.1', port });
  await once(server, 'listening');
  const stats = { connections: 0, binaryFrames: 0, textFrames: 0 };
  server.on('connection', (socket) => {
    stats.connections++;
    socket.on('message', (data, isBinary) => {
      stats[isBinary ? 'binaryFrames' : 'textFrames']++;
      for (const client of server.clients)
        if (client !== socket && client.readyState === client.OPEN)
          client.send(data, { binary: isBinary });
    });
  });
  const { port: bound } = server.address();
  return {
    url: `ws://127.0.0.1:${bound}`,
    port: bound,
    stats,
    /** Drops every client at once (no closing handshake, as a crash would) and stops. */
    async stop() {
      for (const client of server.clients) client.terminate();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
