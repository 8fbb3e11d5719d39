// The note: a textarea bound to a text field. What the user types becomes inserts and deletes
// of the field, found from where the selection was and where the caret is (O(edit), whatever
// the note's length); what other replicas wrote arrives as text patches, applied to the
// textarea's value once a frame with the caret and selection moved as the text around them
// moved.

const isHigh = (code) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code) => code >= 0xdc00 && code <= 0xdfff;

/**
 * The edit that turned before into after, given the caret after it: { index, deleted,
 * inserted } in UTF-16 units, never splitting a surrogate pair (the store refuses that).
 * O(length): for the edits that local() cannot place.
 */
function diff(before, after, caret) {
  const grown = after.length - before.length;
  let start = 0;
  const prefixMax = Math.min(before.length, after.length, Math.max(0, caret - Math.max(0, grown)));
  while (start < prefixMax && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  if (start > 0 && isHigh(after.charCodeAt(start - 1))) start--;
  let tail = 0;
  const tailMax = Math.min(before.length, after.length) - start;
  while (tail < tailMax && before.charCodeAt(before.length - 1 - tail) ===
         after.charCodeAt(after.length - 1 - tail)) tail++;
  if (tail > 0 && isLow(after.charCodeAt(after.length - tail))) tail--;
  return { index: start, deleted: before.length - tail - start,
           inserted: after.slice(start, after.length - tail) };
}

// Input types that replace the selection the beforeinput event saw (a deletion with a collapsed
// selection: a run next to the caret) and leave the caret after what they inserted. Others
// (IME composition, which replaces the composition rather than the selection; undo and redo;
// drag and drop; spelling replacements) may change the text elsewhere, and are diffed.
const atSelection = new Set(['insertText', 'insertLineBreak', 'insertParagraph', 'insertFromPaste',
  'deleteByCut', 'deleteContentBackward', 'deleteContentForward', 'deleteWordBackward',
  'deleteWordForward', 'deleteSoftLineBackward', 'deleteSoftLineForward',
  'deleteHardLineBackward', 'deleteHardLineForward']);

/**
 * The edit of an input event of a type in atSelection, in O(edit): it starts at the selection's
 * start before it or at the caret after it, whichever comes first (a backward deletion leaves
 * the caret where it began), and inserted what lies from there to the caret. before is what
 * beforeinput saw ({ length, start, data }); null when after and caret do not fit that
 * (the caller diffs then).
 */
function local(before, after, caret) {
  const index = Math.min(before.start, caret);
  const deleted = before.length - after.length + caret - index;
  if (deleted < 0 || index + deleted > before.length) return null;
  const inserted = after.slice(index, caret);
  if (before.data !== null && inserted !== before.data) return null;
  return { index, deleted, inserted };
}

/** The UTF-16 length of count code points of text from index. */
function unitsOf(text, index, count) {
  let at = index;
  for (let i = 0; i < count && at < text.length; i++) at += isHigh(text.charCodeAt(at)) ? 2 : 1;
  return at - index;
}

/** Where a caret at position goes when length units are inserted (or, negative, deleted) at index. */
function moved(position, index, length) {
  if (length >= 0) return index < position ? position + length : position;
  return position <= index ? position : Math.max(index, position + length);
}

/**
 * Records two performance measures of a keystroke. 'hypha:keystroke': from when the browser
 * took the key (pressed: the keydown event's timeStamp, or the input event's for input without
 * a key) to when the frame showing its edit has been rendered; a message posted from the
 * frame's animation callback runs once that frame's style, layout and paint are done. So it
 * holds the browser's editing of the textarea before the input event, the page's handling of
 * it, the wait for the next frame and the frame. 'hypha:keystroke-work': the page's part
 * alone, applying ms of handling the input event, plus the frame from its animation callback
 * to that message.
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
 * Binds textarea to text (a TextField); edit(fn) runs a local edit (app.mjs counts them). Each
 * keystroke's cost is recorded (recordKeystroke).
 */
export function bindNote(textarea, store, text, edit) {
  let shown = text.toString(); // the field's text: what the textarea shows once remote is shown
  let remote = []; // { index, length } of the remote edits in shown but not in the textarea yet
  let showing = false; // whether showRemote() is scheduled
  let typing = false;
  let before = null;
  textarea.value = shown;
  textarea.disabled = false;

  // Other replicas' edits reach the textarea at most once a frame (or, in a hidden tab, where
  // frames stop, once a timer fires): each assignment of the value costs Chromium a layout of
  // the whole note (about 27 ms for 100,000 characters, measured), so edits that arrive
  // together are shown together. setRangeText() would not help: Chromium rebuilds and lays out
  // the whole value for it too, and it resets selectionDirection.
  function showRemote() {
    showing = false;
    if (remote.length === 0) return;
    let { selectionStart: start, selectionEnd: end } = textarea;
    for (const { index, length } of remote) {
      start = moved(start, index, length);
      end = moved(end, index, length);
    }
    remote = [];
    const direction = textarea.selectionDirection;
    const scroll = textarea.scrollTop;
    textarea.value = shown;
    textarea.scrollTop = scroll;
    if (document.activeElement === textarea) textarea.setSelectionRange(start, end, direction);
  }

  // The timeStamp of the key being pressed: its input event, if it makes one, comes in the
  // same task as its keydown, before its keyup (an arrow key makes none).
  let pressed = null;
  textarea.addEventListener('keydown', (event) => { pressed = event.timeStamp; });
  textarea.addEventListener('keyup', () => { pressed = null; });
  textarea.addEventListener('beforeinput', (event) => {
    showRemote(); // the browser's edit must apply to the text the store holds
    before = atSelection.has(event.inputType)
      ? { length: shown.length, start: textarea.selectionStart, data: event.data } : null;
  });
  textarea.addEventListener('input', (event) => {
    const started = performance.now();
    // Reading the value is O(1) (Chromium hands over its string); slicing it is O(edit).
    const now = textarea.value;
    const caret = textarea.selectionEnd;
    const { index, deleted, inserted } =
      (before && textarea.selectionStart === caret && local(before, now, caret)) ||
      diff(shown, now, caret);
    before = null;
    typing = true;
    try {
      edit(() => store.transact(() => {
        if (deleted > 0) text.delete(index, deleted);
        if (inserted) text.insert(index, inserted);
      }));
    } finally {
      typing = false;
    }
    shown = now;
    recordKeystroke(pressed ?? event.timeStamp, performance.now() - started);
    pressed = null;
  });
  const { collection, key, field } = text;
  store.subscribe({ collection, key, field }, (patches) => {
    if (typing) return;
    for (const patch of patches) {
      if (patch.kind === 'text-insert') {
        shown = shown.slice(0, patch.index) + patch.text + shown.slice(patch.index);
        remote.push({ index: patch.index, length: patch.text.length });
      } else if (patch.kind === 'text-delete') {
        const units = unitsOf(shown, patch.index, patch.codePoints);
        shown = shown.slice(0, patch.index) + shown.slice(patch.index + units);
        remote.push({ index: patch.index, length: -units });
      }
    }
    if (!showing && remote.length > 0) {
      showing = true;
      requestAnimationFrame(showRemote);
      setTimeout(showRemote, 250);
    }
  });
}
