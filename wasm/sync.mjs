// hypha/sync: keeping a store in IndexedDB and sharing its changes between tabs and with a node
// (docs/js.md, "Persistence and transports"). A second entry point, so that an app that does
// not use them does not download them: the core module (index.mjs) stays within its budget.
export { IndexedDBPersistence, openPersistentStore, persist, PersistenceError }
  from './persist-indexeddb.mjs';
export { TransportError } from './change-messages.mjs';
export { BroadcastChannelTransport } from './transport-broadcast.mjs';
export { WebSocketTransport } from './transport-websocket.mjs';
