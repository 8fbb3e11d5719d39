// The note: a <text-view> (text-view.mjs) bound to a text field. What the user types arrives
// as the view's edit events, each an insert or delete of the field; what other replicas wrote
// arrives as text patches, which the view applies to its text (moving the caret and selection
// as the text around them moved) and draws at the next frame, only the rows in sight.
import { isHigh } from './text-layout.mjs';
import { timeEdits } from './keystroke-timing.mjs';
import './text-view.mjs'; // defines <text-view>

/** The UTF-16 length of count code points of text from index. */
function unitsOf(text, index, count) {
  let at = index;
  for (let i = 0; i < count && at < text.length; i++) at += isHigh(text.charCodeAt(at)) ? 2 : 1;
  return at - index;
}

/**
 * Binds view (a <text-view>) to text (a TextField); edit(fn) runs a local edit (app.mjs counts
 * them). Each keystroke's cost is recorded (keystroke-timing.mjs).
 */
export function bindNote(view, store, text, edit) {
  view.value = text.toString();
  view.disabled = false;
  let typing = false;
  timeEdits(view, ({ index, deleted, inserted }) => {
    typing = true;
    try {
      edit(() => store.transact(() => {
        if (deleted > 0) text.delete(index, deleted);
        if (inserted) text.insert(index, inserted);
      }));
    } finally {
      typing = false;
    }
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
