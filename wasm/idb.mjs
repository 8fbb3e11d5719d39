// IndexedDB's requests and transactions as promises. A transaction stays usable in the
// continuation of a request's promise: it runs in the microtasks of the success event.
export const requestDone = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

export const transactionDone = (transaction) => new Promise((resolve, reject) => {
  transaction.oncomplete = () => resolve();
  transaction.onerror = transaction.onabort = () =>
    reject(transaction.error ?? new DOMException('the transaction was aborted', 'AbortError'));
});
