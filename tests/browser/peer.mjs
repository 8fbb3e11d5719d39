// A sync peer for the WebSocket tests, standing in for a node where a test needs to stop,
// restart or count it: a WebSocket server (ws) on 127.0.0.1 that serves one store at /sync
// with the subprotocol hypha-sync-1, as `hypha node` does, running a SyncSession of the
// package under test per connection. tests/js/node.test.mjs talks to the real node. Node 20
// has no WebSocket client or server either: node-side tests take ws's.
import { once } from 'node:events';
import { WebSocketServer } from 'ws';
import { hypha } from '../js/support.mjs';

export { WebSocket, WebSocketServer } from 'ws';

const SUBPROTOCOL = 'hypha-sync-1';

/**
 * Listens on `port` (default: a free one) and syncs `store` with every client that asks for
 * `path` (a node's is /sync under its base path). stats counts
 * connections, binary and text messages, and the subprotocols and paths clients asked for.
 */
export async function startPeer({ store, port = 0, path = '/sync', tickMs = 100 }) {
  const server = new WebSocketServer({
    host: '127.0.0.1', port, path,
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  await once(server, 'listening');
  const stats = { connections: 0, binaryMessages: 0, textMessages: 0, protocols: new Set(),
                  errors: [] };
  server.on('connection', (socket) => {
    stats.connections++;
    stats.protocols.add(socket.protocol);
    const session = new hypha.SyncSession(store, { send: (frame) => socket.send(frame) });
    const ticker = setInterval(() => session.state !== 'closed' && session.tick(), tickMs);
    socket.on('message', (data, isBinary) => {
      stats[isBinary ? 'binaryMessages' : 'textMessages']++;
      if (!isBinary || session.state === 'closed') return;
      session.receive(new Uint8Array(data));
      if (session.state === 'closed') {
        stats.errors.push(session.error);
        socket.close();
      }
    });
    socket.on('close', () => {
      clearInterval(ticker);
      session.close();
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
