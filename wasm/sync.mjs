// hypha/sync: keeping a store in IndexedDB, and in step with other tabs and with a node through
// sync sessions (docs/js.md, "Persistence and sync"). A second entry point, so that an app that
// does not use them does not download them: the core module (index.mjs) stays smaller.
export { TransportError } from './events.mjs';
export { IndexedDBPersistence, openPersistentStore, persist, PersistenceError }
  from './persist-indexeddb.mjs';
export { SyncSession } from './session.mjs';
export { BroadcastChannelTransport } from './transport-broadcast.mjs';
export { WebSocketTransport } from './transport-websocket.mjs';
