// The events the persistence and the transports dispatch: plain Events carrying their detail
// as a property (node 20 has no ErrorEvent, and a CustomEvent's `detail` reads worse).
export const errorEvent = (error) => Object.assign(new Event('error'), { error });
export const statusEvent = (status) => Object.assign(new Event('status'), { status });
