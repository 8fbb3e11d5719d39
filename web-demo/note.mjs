// The note: a <text-view> (text-view.mjs) bound to a text field. What the user types arrives
// as the view's edit events, each an insert or delete of the field; what other replicas wrote
// arrives as text patches, which the view applies to its text (moving the caret and selection
// as the text around them moved) and draws at the next frame, only the rows in sight.
import { isHigh } from './text-layout.mjs';
import './text-view.mjs'; // defines <text-view>

/** The UTF-16 length of count code points of text from index. */
function unitsOf(text, index, count) {
  let at = index;
  for (let i = 0; i < count && at < text.length; i++) at += isHigh(text.charCodeAt(at)) ? 2 : 1;
  return at - index;
}

/**
 * Records two performance measures of a keystroke. 'hypha:keystroke': from when the browser
 * took the key (pressed: the keydown event's timeStamp, or that of the event that made the
 * edit, for input without a key) to when the frame showing its edit has been rendered; a
 * message posted from the frame's animation callback runs once that frame's style, layout and
 * paint are done. So it holds the view's handling of the key, the store's edit, the wait for
 * the next frame and the frame. 'hypha:keystroke-work': the page's part alone, applying ms of
 * handling the key (from the event that made the edit), plus the frame from its animation
 * callback to that message.
 */
function recordKeystroke(pressed, applying) {
  requestAnimationFrame(() => {
    const frame = performance.now();
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      const rendered = performance.now();
      performance.measure('hypha:keystroke', { start: pressed, end: rendered });
      performance.measure('hypha:keystroke-work', { start: frame - applying, end: rendered });
    };
    channel.port2.postMessage(null);
  });
}

/**
 * Binds view (a <text-view>) to text (a TextField); edit(fn) runs a local edit (app.mjs counts
 * them). Each keystroke's cost is recorded (recordKeystroke).
 */
export function bindNote(view, store, text, edit) {
  view.value = text.toString();
  view.disabled = false;
  // The timeStamp of the key being pressed (seen before the view handles it): its edit, if it
  // makes one, comes in the same task as its keydown, before its keyup (an arrow key makes none).
  let pressed = null;
  view.addEventListener('keydown', (event) => { pressed = event.timeStamp; }, true);
  view.addEventListener('keyup', () => { pressed = null; }, true);
  let typing = false;
  view.addEventListener('edit', ({ index, deleted, inserted, cause }) => {
    typing = true;
    try {
      edit(() => store.transact(() => {
        if (deleted > 0) text.delete(index, deleted);
        if (inserted) text.insert(index, inserted);
      }));
    } finally {
      typing = false;
    }
    const now = performance.now();
    const began = cause?.timeStamp ?? now;
    recordKeystroke(pressed ?? began, now - began);
    pressed = null;
  });
  const { collection, key, field } = text;
  store.subscribe({ collection, key, field }, (patches) => {
    if (typing) return;
    for (const patch of patches) {
      if (patch.kind === 'text-insert') view.replace(patch.index, 0, patch.text);
      else if (patch.kind === 'text-delete') view.replace(patch.index, unitsOf(view.value, patch.index, patch.codePoints), '');
    }
  });
}
