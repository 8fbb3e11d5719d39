// How long the note's keystrokes take, recorded as performance measures for the demo's test and
// benchmark (tests/browser/demo-support.mjs) to read; the demo and its floor page (the same
// view with no store) time their keystrokes through this one module.

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
 * Calls apply(event) for each edit event of view (a <text-view>), and records the keystroke
 * that made it (recordKeystroke).
 */
export function timeEdits(view, apply) {
  // The timeStamp of the key being pressed (seen before the view handles it): its edit, if it
  // makes one, comes in the same task as its keydown, before its keyup (an arrow key makes none).
  let pressed = null;
  view.addEventListener('keydown', (event) => { pressed = event.timeStamp; }, true);
  view.addEventListener('keyup', () => { pressed = null; }, true);
  view.addEventListener('edit', (event) => {
    apply(event);
    const now = performance.now();
    const began = event.cause?.timeStamp ?? now;
    recordKeystroke(pressed ?? began, now - began);
    pressed = null;
  });
}
