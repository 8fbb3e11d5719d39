// Bytes as hex digits and back: how the page shows keys and keeps its identity.
export const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
export const fromHex = (text) => Uint8Array.from(text.match(/../g), (b) => parseInt(b, 16));
